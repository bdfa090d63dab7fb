"""The demo's people: names and plans shared by the foundation seed and the training seed."""

from __future__ import annotations

FIRST = ["Maria", "James", "Aisha", "Robert", "Linh", "David", "Keisha", "Carlos", "Emily",
         "Marcus", "Sofia", "Daniel", "Priya", "Thomas", "Grace", "Andre", "Hannah", "Luis",
         "Olivia", "Samuel", "Fatima", "Ethan", "Rosa", "Jamal", "Chloe", "Victor", "Nora",
         "Kevin", "Leah", "Omar", "Ruth", "Tyler", "Yesenia", "Brian", "Mei", "Derek", "Ana",
         "Isaac", "Tamara", "Paul", "Ingrid", "Hector"]
LAST = ["Alvarez", "Brooks", "Chen", "Diaz", "Evans", "Foster", "Garcia", "Hughes", "Ibrahim",
        "Johnson", "Kim", "Lopez", "Martin", "Nguyen", "Owens", "Patel", "Quinn", "Rivera",
        "Singh", "Turner", "Usman", "Vasquez", "Walker", "Xu", "Young", "Zimmerman", "Adams",
        "Bennett", "Castillo", "Dawson", "Ellis", "Flores", "Gibson", "Harris", "Ingram",
        "Jenkins", "Khan", "Lewis", "Morales", "Norris", "Ortiz", "Price"]

# (role, schools by index, start offset in days before `today`, end offset or None)
STAFF_PLAN = [
    ("principal", [0], 2900, None), ("assistant_principal", [0], 700, None),
    ("counselor", [0], 1500, None), ("teacher", [0], 3200, None), ("teacher", [0], 60, None),
    ("security_officer", [0], 400, None),
    ("principal", [1], 1900, None), ("assistant_principal", [1], 1100, None),
    ("counselor", [1], 45, None), ("teacher", [1], 2400, None), ("teacher", [1], 800, None),
    ("principal", [2], 1300, None), ("counselor", [2], 950, None), ("teacher", [2], 20, None),
    ("teacher", [2], 1700, None), ("teacher", [2], 600, 30),
    ("principal", [3], 500, None), ("counselor", [3], 2100, None), ("teacher", [3], 330, None),
    ("teacher", [3], 1000, None),
    ("principal", [4], 3600, None), ("counselor", [4, 5], 1200, None), ("teacher", [4], 250, None),
    ("teacher", [4], 90, None), ("staff", [4], 700, None),
    ("principal", [5], 150, None), ("teacher", [5], 1400, None), ("teacher", [5], 10, None),
    ("assistant_principal", [5], 2000, None), ("staff", [5], 380, None),
]
SRO_PLAN = [  # SROs and their supervisor, employed by the agency
    ("sro", [0], 1400, None), ("sro", [1], 200, None), ("sro", [2, 4], 800, None),
    ("sro", [3, 5], 25, None), ("sro", [1], 2500, 400), ("sro_supervisor", [0, 1, 2, 3, 4, 5], 2200, None),
]
