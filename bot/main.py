"""The ASGI app uvicorn serves (`bot.main:app`)."""

from bot.app import create_app

app = create_app()
