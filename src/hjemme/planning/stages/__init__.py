"""The stages of the day planner, one module each (issue 11, item 8).

``clinicians`` routes the clinical staff, ``samples`` gets samples to the lab (clinician drop or
courier pair), ``transport`` routes vans and couriers, ``videos`` fits video consultations into
clinicians' time off the road; ``routing`` holds what the two routing stages share.
"""
