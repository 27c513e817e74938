fn main() {
    println!("commune");
}
