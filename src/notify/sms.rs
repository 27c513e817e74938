//! Text messages (SMS), through a gateway. The default gateway writes each message as a
//! `.sms` file in the outbox folder (as mail without a server goes to `.eml` files), so
//! that a commune can run, and the tests can read what was sent, without an operator
//! contract. A real operator's gateway implements [`SmsGateway`].

use std::path::PathBuf;

use anyhow::{Context, Result};

/// Sends one text message to a phone number (`+221…`).
pub trait SmsGateway: Send + Sync {
    fn send(&self, to: &str, text: &str) -> Result<()>;
}

/// Writes each message to `<outbox>/<time>-<random>.sms`: a `To:` line, a blank line,
/// and the text.
pub struct SmsOutbox {
    dir: PathBuf,
}

impl SmsOutbox {
    pub fn new(dir: PathBuf) -> Result<SmsOutbox> {
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create outbox folder {}", dir.display()))?;
        Ok(SmsOutbox { dir })
    }
}

impl SmsGateway for SmsOutbox {
    fn send(&self, to: &str, text: &str) -> Result<()> {
        let name = format!(
            "{}-{:08x}.sms",
            chrono::Utc::now().format("%Y%m%dT%H%M%S%.6f"),
            rand::random::<u32>()
        );
        let path = self.dir.join(name);
        std::fs::write(&path, format!("To: {to}\n\n{text}\n"))
            .with_context(|| format!("cannot write {}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outbox_keeps_each_message_in_a_file_of_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = SmsOutbox::new(dir.path().join("sms")).unwrap();
        outbox.send("+221771234567", "Votre code : 123456").unwrap();
        outbox.send("+221771234567", "Votre code : 654321").unwrap();
        let mut texts: Vec<String> = std::fs::read_dir(dir.path().join("sms"))
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect();
        texts.sort();
        assert_eq!(
            texts,
            [
                "To: +221771234567\n\nVotre code : 123456\n",
                "To: +221771234567\n\nVotre code : 654321\n"
            ]
        );
    }
}
