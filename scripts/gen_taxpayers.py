#!/usr/bin/env python3
"""Writes a synthetic taxpayer file for the commune of Dakar-Plateau.

    scripts/gen_taxpayers.py N OUT.csv [--excel] [--seed S]

N rows with the columns of `commune import taxpayers`:
ref,name,kind,district,phone,email,id_number,address,gps. The same N and seed always
give the same file. Names are Senegalese (and some Beninese), about a quarter are
organisations, every phone is a valid Senegalese number, organisations have a NINEA
with its COFI, about 10% of taxpayers have an e-mail and half a GPS point.

By default the file is UTF-8 with `,` and LF, as LibreOffice or a script writes it;
`--excel` writes what French-locale Excel writes: Windows-1252, `;`, CRLF, decimal
commas in GPS points.
"""

import argparse
import csv
import random
import sys
import unicodedata

DISTRICTS = ["Plateau", "Rebeuss", "Petersen", "Sandaga", "Kermel", "Thiong", "Tound", "Port"]

SN_FIRST = [
    "Awa", "Fatou", "Aminata", "Mariama", "Khady", "Ndèye", "Aïssatou", "Coumba", "Rokhaya",
    "Adama", "Mamadou", "Moussa", "Ibrahima", "Cheikh", "Abdoulaye", "Ousmane", "Modou",
    "Pape", "Serigne", "Babacar", "Alioune", "Ousseynou", "Souleymane", "El Hadji", "Seydou",
]
SN_LAST = [
    "Diop", "Ndiaye", "Fall", "Sow", "Ba", "Diallo", "Gueye", "Faye", "Sarr", "Mbaye",
    "Cissé", "Niang", "Seck", "Thiam", "Sy", "Kane", "Diouf", "Dieng", "Ndour", "Sène",
    "Mbodj", "Touré", "Camara", "Wade", "Lô",
]
BJ_FIRST = ["Koffi", "Afi", "Sèna", "Rodrigue", "Prudence", "Fifamè", "Mahougnon", "Codjo", "Bernadette"]
BJ_LAST = ["Houessou", "Agossou", "Adjovi", "Dossou", "Zinsou", "Hounkpatin", "Gbaguidi", "Ahouandjinou"]
ORG_FORMS = [
    "Boulangerie {l}", "Pharmacie {l}", "Quincaillerie {l} et Frères", "GIE {l} Commerce",
    "Société {l} Import-Export SARL", "Cabinet {l}", "Restaurant Chez {f}", "Librairie {l}",
    "Hôtel {l}", "Transports {l} SA", "Tissus {l}", "Bijouterie {f} {l}",
]
STREETS = [
    "avenue Léopold Sédar Senghor", "rue Félix Faure", "avenue Georges Pompidou",
    "rue Carnot", "boulevard de la République", "avenue Lamine Guèye", "rue Vincens",
    "rue Mohamed V", "avenue Hassan II", "rue de Thiong", "allées Papa Guèye Fall",
    "rue Joseph Gomis", "place de l'Indépendance",
]
MOBILE = ["70", "75", "76", "77", "78"]
COFI_CENTRES = "ABGUVZ"


def ascii_lower(text):
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum() or c == " ").replace(" ", "")


def phone(rng):
    digits = rng.choice(MOBILE) + "".join(rng.choice("0123456789") for _ in range(7))
    style = rng.random()
    if style < 0.6:
        return f"{digits[:2]} {digits[2:5]} {digits[5:7]} {digits[7:]}"
    if style < 0.8:
        return "+221" + digits
    return digits


def ninea(rng):
    number = "00" + "".join(rng.choice("0123456789") for _ in range(7))
    return f"{number} {rng.choice('012')}{rng.choice(COFI_CENTRES)}{rng.randint(1, 9)}"


def row(rng, i, excel):
    senegalese = rng.random() < 0.88
    first = rng.choice(SN_FIRST if senegalese else BJ_FIRST)
    last = rng.choice(SN_LAST if senegalese else BJ_LAST)
    organisation = rng.random() < 0.25
    if organisation:
        name = rng.choice(ORG_FORMS).format(f=first, l=last)
        id_number = ninea(rng)
    else:
        name = f"{first} {last}"
        id_number = ninea(rng) if rng.random() < 0.15 else ""
    email = ""
    if rng.random() < 0.10:
        email = f"{ascii_lower(first)}.{ascii_lower(last)}{i % 1000}@example.sn"
    number = rng.randint(1, 250)
    address = f"{number}, {rng.choice(STREETS)}" if rng.random() < 0.3 else f"{number} {rng.choice(STREETS)}"
    gps = ""
    if rng.random() < 0.5:
        lat = 14.660 + rng.random() * 0.020
        lon = -17.445 + rng.random() * 0.015
        gps = f"{lat:.6f},{lon:.6f}"
        if excel:
            gps = gps.replace(",", ";").replace(".", ",")
    return [
        f"DKP-{i:07d}",
        name,
        "organisation" if organisation else "person",
        rng.choice(DISTRICTS),
        phone(rng),
        email,
        id_number,
        address,
        gps,
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out")
    parser.add_argument("--excel", action="store_true", help="Windows-1252, ';', CRLF")
    parser.add_argument("--seed", type=int, default=221)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    encoding, delimiter, newline = ("cp1252", ";", "\r\n") if args.excel else ("utf-8", ",", "\n")
    with open(args.out, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f, delimiter=delimiter, lineterminator=newline)
        w.writerow(["ref", "name", "kind", "district", "phone", "email", "id_number", "address", "gps"])
        for i in range(1, args.n + 1):
            w.writerow(row(rng, i, args.excel))
    return 0


if __name__ == "__main__":
    sys.exit(main())
