package console

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/egretdesk/egret/internal/kvstore"
)

// cachedJSON returns a handler that serves load's result from KV for ttl,
// keyed by prefix and the route's :id.
func (s *Server) cachedJSON(prefix string, ttl time.Duration, load func(ctx context.Context, id string) (any, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		key := prefix + c.Params("id")
		raw, err := s.ns.Get(c.UserContext(), key)
		if err == nil {
			c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
			c.Set("X-Cache", "hit")
			return c.Send(raw)
		}
		if !errors.Is(err, kvstore.ErrNotFound) {
			return err
		}
		v, err := load(c.UserContext(), c.Params("id"))
		if err != nil {
			return err
		}
		raw, err = json.Marshal(v)
		if err != nil {
			return err
		}
		if err := s.ns.PutTTL(c.UserContext(), key, raw, ttl); err != nil {
			s.log.Warn("cache fill", "key", key, "err", err)
		}
		c.Set("X-Cache", "miss")
		return c.Send(raw)
	}
}

// agentStats is what the console's agent card shows.
type agentStats struct {
	Agent     string    `json:"agent"`
	Linked    bool      `json:"linked"`
	Username  string    `json:"username,omitempty"`
	LinkedAt  time.Time `json:"linked_at,omitempty"`
	Generated time.Time `json:"generated"`
}

// RegisterCards adds the cached card routes.
func (s *Server) RegisterCards(app *fiber.App) {
	cards := app.Group("/cards", s.requireAgent())
	cards.Get("/agent/:id", s.cachedJSON("card:agent:", 20*time.Second, s.loadAgentCard)) // EXPECT kvttl
	cards.Get("/ticket/:id", s.cachedJSON("card:ticket:", 5*time.Minute, func(ctx context.Context, id string) (any, error) {
		return s.tickets.Get(ctx, id)
	}))
}

func (s *Server) loadAgentCard(ctx context.Context, id string) (any, error) {
	st := agentStats{Agent: id, Generated: time.Now().UTC()}
	raw, err := s.ns.Get(ctx, "acct:agent:"+id)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
		return st, nil
	case err != nil:
		return nil, err
	}
	var l struct {
		Username string    `json:"u"`
		LinkedAt time.Time `json:"at"`
	}
	if err := json.Unmarshal(raw, &l); err == nil {
		st.Linked, st.Username, st.LinkedAt = true, l.Username, l.LinkedAt
	}
	return st, nil
}
