"""Who the token belongs to: the smallest useful call, for checking a token works."""

from ninja import Router

from api.errors import COMMON_ERRORS
from api.schemas.me import MeOut

router = Router(tags=["me"])


@router.get("/me", response={200: MeOut, **COMMON_ERRORS})
def me(request):
    return {"username": request.user.username, "can_write": request.auth.can_write}
