"""One run, two servers: every request of the run sent to both, each answer judged by its own
side's model, and where the two differ beyond what the documentation leaves free.

`mapping` says what names the same thing on both sides (ids, run markers, API keys),
`differ` compares one pair of answers under the model's freedoms, `pairing` is the twin a
base-side ledger hands every judged request to, `recording` keeps a side's exchanges and
replays them, `report` writes differences.md and differences.json, `deciders` names the fact
of spec/facts.yaml that would decide each kind of difference.
"""
