"""The ASGI app uvicorn serves (`bot.main:app`): the API, and the dispatcher and scheduler unless disabled."""

from bot.app import create_app
from bot.settings import get_settings

app = create_app(dispatcher=get_settings().run_dispatcher, scheduler=get_settings().run_scheduler)
