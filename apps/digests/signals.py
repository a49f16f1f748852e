"""Receivers of the events other apps announce (an item shared, a reply, a sighting, minutes
published), turned into notices; and of Celery's failures, recorded. Connected in
`DigestsConfig.ready`."""
