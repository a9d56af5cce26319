"""The model of the API: what a lane of a run holds (`world`), how it reads a request
(`calls`), what it predicts for it and how it judges the answer (`expect`), and the
oracle that does so for every exchange of a lane (`oracle`). Its freedoms are `..freedoms`.
"""
