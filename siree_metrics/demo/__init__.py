"""The demo database: fictional partner exports in every format partners send, telling a plausible story.

``story`` makes the rows (set in the reference data's partners, regions and windows), ``formats`` spells them
as files, ``build`` writes them to the folder it is given and loads them.
"""
