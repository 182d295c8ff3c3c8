from ninja import Schema


class MeOut(Schema):
    username: str
    can_write: bool
