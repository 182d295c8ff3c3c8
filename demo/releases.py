"""Release-date forecasts (10/50/90% quantiles), most of them resolved."""

# (slug, event, created days ago, days to the 10/50/90% dates, days until it happened)
RELEASES = [
    ("cpython-feature", "The next CPython feature release is out", 330, (150, 170, 200), 161),
    ("firefox-esr-next", "The next Firefox ESR is released", 300, (60, 90, 150), 128),
    ("gpt-next-api", "A new flagship GPT model is available in the API", 280, (40, 100, 200), 230),
    ("debian-point", "The next Debian stable point release is out", 120, (20, 35, 60), 31),
    (
        "android-next",
        "The next Android major version ships to Pixel phones",
        90,
        (120, 160, 220),
        None,
    ),
]
