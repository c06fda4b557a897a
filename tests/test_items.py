"""Weapon systems and equipment with categories and quantities (issue 5, part 4)."""

from __future__ import annotations

import pytest

from aidtrace.datafiles import load_yaml
from aidtrace.extract.items import find_items

# (sentence, expected items as (text, category, canonical, quantity))
CASES = [
    ("Germany will send two Patriot batteries to Ukraine.",
     [("Patriot batteries", "air defence", "Patriot", 2)]),
    ("especially Patriots, which are crucial to help defend Ukrainian cities",
     [("Patriots", "air defence", "Patriot", None)]),
    ("The US approved a Patriot system for Kyiv.",
     [("Patriot system", "air defence", "Patriot", 1)]),
    ("Washington sent MIM-104 launchers.",
     [("MIM-104 launchers", "air defence", "Patriot", None)]),
    ("the US-made HIMARS missiles and air defence systems",
     [("HIMARS missiles", "rocket artillery", "HIMARS", None),
      ("air defence systems", "air defence", "air defence system", None)]),
    ("Poland delivered 40 Leopard tanks.",
     [("Leopard tanks", "armour", "Leopard", 40)]),
    ("Canada donated eight Leopard-2A4 tanks.",
     [("Leopard-2A4 tanks", "armour", "Leopard 2", 8)]),
    ("Denmark and the Netherlands send 100 Leopard 1A5 tanks.",
     [("Leopard 1A5 tanks", "armour", "Leopard 1", 100)]),
    ("The US delivered 31 M1A1 Abrams tanks.",
     [("M1A1 Abrams tanks", "armour", "Abrams", 31)]),
    ("Britain sent 14 Challenger 2 tanks.",
     [("Challenger 2 tanks", "armour", "Challenger 2", 14)]),
    ("Germany pledged three more IRIS-T SLM systems.",
     [("IRIS-T SLM systems", "air defence", "IRIS-T", 3)]),
    ("Norway sent NASAMS and Italy a SAMP/T battery.",
     [("NASAMS", "air defence", "NASAMS", None), ("SAMP/T battery", "air defence", "SAMP/T", 1)]),
    ("Gepard anti-aircraft guns and Skynex systems protect the grain ports.",
     [("Gepard", "air defence", "Gepard", None), ("anti-aircraft guns", "air defence", "air defence system", None),
      ("Skynex systems", "air defence", "Skynex", None)]),
    ("Spain sent Hawk air defence systems.",
     [("Hawk air defence systems", "air defence", "Hawk", None)]),
    ("Belgium will deliver 30 F-16 fighter jets by 2028.",
     [("F-16 fighter jets", "aircraft", "F-16", 30)]),
    ("The first F-16s arrived, and France promised Mirage 2000 jets.",
     [("F-16s", "aircraft", "F-16", None), ("Mirage 2000 jets", "aircraft", "Mirage 2000", None)]),
    ("Sweden is weighing Gripen fighters.",
     [("Gripen fighters", "aircraft", "Gripen", None)]),
    ("The US sent 90 Stryker vehicles and 109 Bradley fighting vehicles.",
     [("Stryker vehicles", "armour", "Stryker", 90), ("Bradley fighting vehicles", "armour", "Bradley", 109)]),
    ("Germany gave 40 Marder infantry fighting vehicles.",
     [("Marder infantry fighting vehicles", "armour", "Marder", 40)]),
    ("Sweden delivered CV90 infantry fighting vehicles and M113 APCs.",
     [("CV90 infantry fighting vehicles", "armour", "CV90", None), ("M113 APCs", "armour", "M113", None)]),
    ("The package includes 18 M777 howitzers and six CAESAR howitzers.",
     [("M777 howitzers", "artillery", "M777", 18), ("CAESAR howitzers", "artillery", "CAESAR", 6)]),
    ("Germany and the Netherlands sent PzH 2000 howitzers; Britain sent AS-90 guns.",
     [("PzH 2000 howitzers", "artillery", "PzH 2000", None), ("AS-90 guns", "artillery", "AS-90", None)]),
    ("Sweden gave eight Archer howitzers, Poland Krab howitzers and Slovakia Zuzana systems.",
     [("Archer howitzers", "artillery", "Archer", 8), ("Krab howitzers", "artillery", "Krab", None),
      ("Zuzana systems", "artillery", "Zuzana", None)]),
    ("The US sent M270 MLRS launchers and ATACMS missiles.",
     [("M270 MLRS launchers", "rocket artillery", "M270 MLRS", None), ("ATACMS missiles", "missiles", "ATACMS", None)]),
    ("Britain supplied Storm Shadow missiles and France SCALP missiles.",
     [("Storm Shadow missiles", "missiles", "Storm Shadow", None), ("SCALP missiles", "missiles", "Storm Shadow", None)]),
    ("Berlin still refuses to send Taurus cruise missiles.",
     [("Taurus cruise missiles", "missiles", "Taurus", None)]),
    ("Denmark supplied Harpoon anti-ship missiles; Kyiv fires Neptune missiles.",
     [("Harpoon anti-ship missiles", "missiles", "Harpoon", None), ("Neptune missiles", "missiles", "Neptune", None)]),
    ("The UK sent 5,000 NLAWs and the US 8,500 Javelin anti-tank missiles.",
     [("NLAWs", "anti-tank weapons", "NLAW", 5000), ("Javelin anti-tank missiles", "anti-tank weapons", "Javelin", 8500)]),
    ("Stinger missiles and Starstreak launchers were delivered.",
     [("Stinger missiles", "air defence", "Stinger", None), ("Starstreak launchers", "air defence", "Starstreak", None)]),
    ("Ukraine used Bayraktar TB2 drones, Switchblade drones and Phoenix Ghost drones.",
     [("Bayraktar TB2 drones", "drones", "Bayraktar TB2", None), ("Switchblade drones", "drones", "Switchblade", None),
      ("Phoenix Ghost drones", "drones", "Phoenix Ghost", None)]),
    ("a joint production deal involving drones",
     [("drones", "drones", "drone", None)]),
    ("Latvia will supply 6,000 FPV drones and 1,000 interceptor drones.",
     [("FPV drones", "drones", "FPV drone", 6000), ("interceptor drones", "drones", "interceptor drone", 1000)]),
    ("Kyiv builds long-range drones and naval drones.",
     [("long-range drones", "drones", "long-range drone", None), ("naval drones", "drones", "naval drone", None)]),
    ("Russia launched hundreds of drones and dozens of missiles.",
     [("drones", "drones", "drone", None), ("missiles", "missiles", "missile", None)]),
    ("the EU's plan for 1 million shells",
     [("shells", "artillery ammunition", "artillery shell", 1_000_000)]),
    ("Seoul sold 500,000 155mm shells to Washington.",
     [("155mm shells", "artillery ammunition", "155mm artillery ammunition", 500_000)]),
    ("Czech initiative delivers 155-mm artillery ammunition.",
     [("155-mm artillery ammunition", "artillery ammunition", "155mm artillery ammunition", None)]),
    ("It ordered 1.5 million rounds of ammunition and other munitions.",
     [("rounds of ammunition", "ammunition", "ammunition", 1_500_000), ("munitions", "ammunition", "ammunition", None)]),
    ("two of its Patriot systems",
     [("Patriot systems", "air defence", "Patriot", 2)]),
    ("an IRIS-T system and unmanned aerial vehicles",
     [("IRIS-T system", "air defence", "IRIS-T", 1), ("unmanned aerial vehicles", "drones", "drone", None)]),
    ("Analysts say Europe can provide artillery systems, armoured vehicles, tanks and fighter jets.",
     [("artillery systems", "artillery", "howitzer", None), ("armoured vehicles", "armour", "armoured vehicle", None),
      ("tanks", "armour", "tank", None), ("fighter jets", "aircraft", "fighter jet", None)]),
    ("Starlink terminals, demining equipment and electronic warfare systems were sent.",
     [("Starlink terminals", "satellites/communications", "Starlink", None),
      ("demining equipment", "demining", "demining equipment", None),
      ("electronic warfare systems", "electronic warfare", "electronic warfare system", None)]),
    ("The package includes counter-battery radars and Humvees.",
     [("counter-battery radars", "radars", "radar", None), ("Humvees", "vehicles", "Humvee", None)]),
    ("Britain gave two Sandown-class minehunters and small arms.",
     [("Sandown-class minehunters", "naval", "Sandown-class minehunter", 2), ("small arms", "small arms", "small arms", None)]),
]


@pytest.mark.parametrize(("sentence", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_items(sentence, expected):
    found = find_items(sentence)
    assert [(i.text, i.category, i.canonical, i.quantity) for i in found] == expected
    assert all(sentence[i.start:i.end] == i.text for i in found)


def test_table_is_big_enough():
    assert sum(len(c[1]) for c in CASES) >= 30


@pytest.mark.parametrize("sentence", [
    "Mr Archer said the hawk circled over Kyiv.",
    "Macron and Putin held their first call in almost three years.",
    "Patriotic Ukrainians lined the streets.",
    "The anti-tank ditch was dug by hand.",
])
def test_no_items(sentence):
    assert find_items(sentence) == []


def test_money_is_not_a_quantity():
    found = find_items("The US gave $1 billion for drones and €500m of ammunition.")
    assert [(i.text, i.quantity) for i in found] == [("drones", None), ("ammunition", None)]


def test_taxonomy_categories_are_closed():
    data = load_yaml("items.yaml")
    assert {e["category"] for e in data["items"]} <= set(data["categories"])
    assert len({e["canonical"] for e in data["items"]}) == len(data["items"])
