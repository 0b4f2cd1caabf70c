package main

import (
	"log/slog"
	"net/http"

	"github.com/parula-labs/parula/internal/install"
	"github.com/parula-labs/parula/internal/kvstore"
	"github.com/parula-labs/parula/internal/web"
)

func newWeb(kv *kvstore.Namespace, installs *install.Registry, log *slog.Logger) http.Handler {
	return web.NewServer(kv, installs, envOr("SLACK_CLIENT_ID", ""), log)
}
