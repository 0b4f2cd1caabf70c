// Package console is the agents' web console, a Fiber app. Agents sign in
// with a login link from the bot, or with an API token for the CLI.
package console

import (
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"
	"github.com/gofiber/fiber/v2/middleware/session"

	"github.com/egretdesk/egret/internal/kvstore"
	"github.com/egretdesk/egret/internal/linking"
	"github.com/egretdesk/egret/internal/tickets"
)

// Server holds what the handlers need.
type Server struct {
	ns       *kvstore.Namespace
	tickets  *tickets.Service
	links    *linking.Service
	sessions *session.Store
	log      *slog.Logger
	views    *viewCounter
}

// New builds the Fiber app.
func New(ns *kvstore.Namespace, t *tickets.Service, l *linking.Service, log *slog.Logger) (*fiber.App, *Server) {
	s := &Server{
		ns:      ns,
		tickets: t,
		links:   l,
		log:     log,
		views:   newViewCounter(),
		sessions: session.New(session.Config{
			Storage:        kvstore.NewFiberStorage(ns, "sess:"),
			Expiration:     12 * time.Hour,
			KeyLookup:      "cookie:egret_sid",
			CookieSecure:   true,
			CookieHTTPOnly: true,
			CookieSameSite: "Lax",
		}),
	}
	app := fiber.New(fiber.Config{AppName: "egret console", ErrorHandler: s.errorHandler})

	app.Use(s.lastRequest())

	auth := app.Group("/auth")
	auth.Use(limiter.New(limiter.Config{ // DEBATABLE kvcounter
		Max:        10,
		Expiration: time.Minute,
		Storage:    kvstore.NewFiberStorage(ns, "rl:auth:"),
	}))
	auth.Get("/tg/:token", s.loginWithLink)
	auth.Post("/logout", s.logout)

	api := app.Group("/api", s.requireAgent())
	api.Get("/tickets", s.listQueue)
	api.Get("/tickets/:id", s.showTicket)
	api.Post("/tickets/:id/assign", s.assignTicket)
	api.Post("/tickets/:id/comments", s.commentTicket)
	api.Post("/tickets/:id/watch", s.watchTicket)
	api.Post("/link", s.linkTelegram)
	api.Post("/handle", s.claimHandle)

	cli := app.Group("/cli", s.requireToken())
	cli.Get("/tickets/:id", s.showTicket)
	cli.Post("/tickets/:id/comments", s.commentTicket)
	cli.Post("/token/rotate", s.rotateToken)

	admin := app.Group("/admin", s.requireAgent(), requireRole("admin"))
	admin.Get("/agents", s.listAgents)
	admin.Put("/canned/:name", s.putCanned)
	admin.Post("/canned/import", s.importCanned)
	return app, s
}

func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	code := fiber.StatusInternalServerError
	if fe, ok := err.(*fiber.Error); ok {
		code = fe.Code
	}
	if code >= 500 {
		s.log.Error("console", "path", c.Path(), "err", err)
	}
	return c.Status(code).JSON(fiber.Map{"error": err.Error()})
}
