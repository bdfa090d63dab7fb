"""The training catalog and requirement sets that ship with the project (domain reference §4).

The national set applies everywhere; each state preset (Texas, Illinois, Ohio, North Carolina) is a
set of requirements tagged with its preset key that applies once a district switches it on.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from models.training import Course, Requirement, RequirementRole

# Role groups mapped onto models.people.ROLES.
SRO = ("sro",)
SUPERVISOR = ("sro_supervisor",)
PRINCIPALS = ("principal", "assistant_principal")
SCHOOL_STAFF = ("teacher", "counselor", "security_officer", "staff")

# code, title, provider, hours, topics, issues a certificate
COURSES = [
    ("NASRO-BASIC", "NASRO Basic SRO Course (law enforcer, informal counselor, educator)",
     "National Association of School Resource Officers", 40,
     "The SRO triad: law enforcer, informal counselor, educator; adolescent development; "
     "school law; de-escalation", True),
    ("NASRO-ADV", "NASRO Advanced SRO Course", "National Association of School Resource Officers", 24,
     "Threat assessment, emergency operations planning, advanced school law", True),
    ("NASRO-SUP", "SRO Supervisors course", "National Association of School Resource Officers", 24,
     "Supervising SROs, program management, MOU oversight, evaluation", True),
    ("AMHT-SRO", "Adolescent Mental Health Training for SROs",
     "National Association of School Resource Officers", 12,
     "Adolescent mental health, trauma, crisis response, referral to school supports", True),
    ("YMHFA", "Youth Mental Health First Aid", "National Council for Mental Wellbeing", 8,
     "Recognizing and responding to mental health and substance use challenges in young people", True),
    ("MOU-JOINT", "Joint MOU orientation: roles, crime vs discipline, information sharing, escalation",
     "District and police agency (joint)", 3,
     "The MOU, roles and limits, crime versus school discipline, information sharing, escalation", False),
    ("LEGAL-UPD", "Student rights, search and seizure, civil rights, FERPA", "District legal counsel", 2,
     "Student rights, search and seizure in schools, civil rights, FERPA", False),
    ("BIAS-DIS", "Implicit bias, disability awareness, cultural competence",
     "District professional development", 6,
     "Implicit bias, disability awareness, cultural competence", False),
    ("PBIS-STAFF", "Non-punitive discipline and when (not) to call the SRO",
     "District PBIS team", 3, "Positive behavior supports, classroom discipline, when to call the SRO",
     False),
    ("SRO-REFRESH", "Annual SRO in-service refresher", "Police agency in-service", 8,
     "Yearly update on law, policy and practice for SROs", True),
    # State preset courses.
    ("TX-SBLE", "Texas school-based law enforcement course (16 hours, state approved)",
     "Texas Commission on Law Enforcement approved provider", 16,
     "Child and adolescent development, de-escalation, mental health crisis, school law", True),
    ("IL-SRO", "Illinois school resource officer course (state board approved)",
     "Illinois Law Enforcement Training and Standards Board", 40,
     "School resource officer duties, youth development, de-escalation, school law", True),
    ("OH-SRO", "Ohio school resource officer training (40 hours)",
     "Ohio Peace Officer Training Commission approved provider", 40,
     "School resource officer duties, youth development, de-escalation, school law", True),
    ("NC-SRO", "North Carolina school resource officer basic course", "North Carolina Justice Academy", 40,
     "School resource officer duties, youth development, de-escalation, school law", True),
    ("NC-REFRESH", "North Carolina annual SRO refresher", "North Carolina Justice Academy", 8,
     "Yearly update for North Carolina SROs", True),
]
# Completing the second course satisfies any requirement for the first.
EQUIVALENTS = [("TX-SBLE", "NASRO-ADV")]

# preset, course, roles, due rule, due days, renewal months, grandfather date, note
REQUIREMENTS = [
    (None, "NASRO-BASIC", SRO, "within_days", 365, None, None, "Within 365 days (OH, IL, NC)."),
    (None, "NASRO-ADV", SRO, "within_days", 1095, None, None, "Within 3 years (default)."),
    (None, "NASRO-SUP", SUPERVISOR, "within_days", 365, None, None, "Within 365 days (default)."),
    (None, "AMHT-SRO", SRO, "within_days", 730, None, None, "Within 2 years (default)."),
    (None, "YMHFA", SRO + PRINCIPALS + ("counselor",), "within_days", 365, 36, None, None),
    (None, "MOU-JOINT", SRO + SUPERVISOR + PRINCIPALS, "before_start", None, 12, None, None),
    (None, "LEGAL-UPD", SRO + PRINCIPALS, "within_days", 90, 12, None, None),
    (None, "BIAS-DIS", SRO + SCHOOL_STAFF + PRINCIPALS, "within_days", 365, 24, None, None),
    (None, "PBIS-STAFF", ("teacher", "counselor") + PRINCIPALS, "within_days", 60, 12, None, None),
    (None, "SRO-REFRESH", SRO, "within_days", 365, 12, None,
     "Within 365 days (the first refresher follows the basic course), then yearly."),
    ("TX", "TX-SBLE", SRO, "within_days", 180, None, None,
     "Before or within 180 days of placement (120 days under the 2015 law); "
     "NASRO Advanced is accepted as an equivalent."),
    ("IL", "IL-SRO", SRO, "within_days", 365, None, None,
     "Within 1 year; the certificate or a waiver is given to the district."),
    ("OH", "OH-SRO", SRO, "within_days", 365, None, date(2018, 11, 2),
     "40 hours within 1 year; officers appointed before 2 Nov 2018 are exempt."),
    ("NC", "NC-SRO", SRO, "within_days", 365, None, None, "Basic course within 1 year."),
    ("NC", "NC-REFRESH", SRO, "within_days", 365, 12, None, "A refresher every year."),
]


def seed_catalog(session: Session) -> tuple[dict[str, Course], list[Requirement]]:
    """Add the courses, their equivalents and every requirement (national and presets)."""
    courses = {code: Course(code=code, title=title, provider=provider, hours=hours, topics=topics,
                            issues_certificate=cert)
               for code, title, provider, hours, topics, cert in COURSES}
    session.add_all(courses.values())
    for code, equivalent in EQUIVALENTS:
        courses[code].equivalents.append(courses[equivalent])
    requirements = []
    for preset, code, roles, rule, days, months, grandfather, note in REQUIREMENTS:
        req = Requirement(course=courses[code], due_rule=rule, due_days=days, renewal_months=months,
                          grandfather_date=grandfather, preset=preset, note=note)
        req.role_links = [RequirementRole(role=r) for r in roles]
        requirements.append(req)
    session.add_all(requirements)
    session.flush()
    return courses, requirements
