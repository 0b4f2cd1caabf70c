package console

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go"
	"github.com/gofiber/fiber/v2"

	"github.com/egretdesk/egret/internal/kvstore"
	"github.com/egretdesk/egret/internal/linking"
	"github.com/egretdesk/egret/internal/tickets"
)

// loginWithLink signs an agent in from a link the bot sent.
func (s *Server) loginWithLink(c *fiber.Ctx) error {
	link, err := s.links.RedeemLoginLink(c.UserContext(), c.Params("token"))
	if err != nil {
		if errors.Is(err, linking.ErrLinkConsumed) || errors.Is(err, linking.ErrNotLinked) {
			return c.Status(fiber.StatusGone).SendString("This login link is no longer valid. Ask the bot for a new one with /login.")
		}
		return err
	}
	sess, err := s.sessions.Get(c)
	if err != nil {
		return err
	}
	if err := sess.Regenerate(); err != nil {
		return err
	}
	sess.Set("agent", link.AgentID)
	sess.Set("role", "agent")
	sess.Set("login_at", time.Now().Unix())
	sess.Set("via", "telegram")
	if err := sess.Save(); err != nil {
		return err
	}
	// Index the session under the agent so /signout in the bot can find it.
	idx := "agentsess:" + link.AgentID + ":" + sess.ID()
	if err := s.ns.PutTTL(c.UserContext(), idx, []byte(strconv.FormatInt(link.TelegramID, 10)), 12*time.Hour); err != nil {
		s.log.Warn("session index", "err", err)
	}
	return c.Redirect("/", fiber.StatusSeeOther)
}

func (s *Server) logout(c *fiber.Ctx) error {
	sess, err := s.sessions.Get(c)
	if err != nil {
		return err
	}
	if agent, _ := sess.Get("agent").(string); agent != "" {
		_ = s.ns.Delete(c.UserContext(), "agentsess:"+agent+":"+sess.ID())
	}
	if err := sess.Destroy(); err != nil { // DEBATABLE kvsession
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// listQueue returns one page of a chat's tickets; the client passes the
// cursor back for the next page.
func (s *Server) listQueue(c *fiber.Ctx) error {
	chatID, err := strconv.ParseInt(c.Query("chat"), 10, 64)
	if err != nil {
		return fiber.NewError(fiber.StatusBadRequest, "chat is required")
	}
	list, next, err := s.tickets.ForChat(c.UserContext(), chatID, c.Query("cursor"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"tickets": list, "cursor": next})
}

// viewCounter keeps per-process view counts of tickets.
type viewCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func newViewCounter() *viewCounter { return &viewCounter{n: map[string]int{}} }

func (v *viewCounter) inc(id string) int {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.n[id]++
	return v.n[id]
}

func (s *Server) showTicket(c *fiber.Ctx) error {
	id := c.Params("id")
	t, err := s.tickets.Get(c.UserContext(), id)
	if errors.Is(err, tickets.ErrNoTicket) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	n := s.views.inc(id)
	if err := s.ns.Put(c.UserContext(), "views:ticket:"+id, []byte(strconv.Itoa(n))); err != nil { // EXPECT kvcounter
		s.log.Warn("views", "err", err)
	}
	return c.JSON(t)
}

func (s *Server) assignTicket(c *fiber.Ctx) error {
	var body struct {
		Agent string `json:"agent"`
	}
	if err := c.BodyParser(&body); err != nil {
		return fiber.ErrBadRequest
	}
	agent := body.Agent
	if agent == "" {
		agent, _ = c.Locals(localAgent).(string)
	}
	if err := s.tickets.Assign(c.UserContext(), c.Params("id"), agent); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) commentTicket(c *fiber.Ctx) error {
	var body struct {
		Text string `json:"text"`
	}
	if err := c.BodyParser(&body); err != nil || strings.TrimSpace(body.Text) == "" {
		return fiber.ErrBadRequest
	}
	agent, _ := c.Locals(localAgent).(string)
	t, err := s.tickets.AddComment(c.UserContext(), c.Params("id"), tickets.Comment{Author: agent, Agent: true, Body: body.Text})
	if err != nil {
		return err
	}
	return c.JSON(t)
}

// watchTicket subscribes the agent to a ticket's updates. The response does
// not wait for the write.
func (s *Server) watchTicket(c *fiber.Ctx) error {
	id := c.Params("id")
	agent, _ := c.Locals(localAgent).(string)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		key := "watchers:" + id
		var list []string
		raw, err := s.ns.Get(ctx, key)
		if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
			s.log.Warn("watchers", "err", err)
			return
		}
		if raw != nil {
			_ = json.Unmarshal(raw, &list)
		}
		for _, a := range list {
			if a == agent {
				return
			}
		}
		list = append(list, agent)
		out, _ := json.Marshal(list)
		if err := s.ns.Put(ctx, key, out); err != nil { // EXPECT kvrace
			s.log.Warn("watchers", "err", err)
		}
	}()
	return c.SendStatus(fiber.StatusAccepted)
}

func (s *Server) linkTelegram(c *fiber.Ctx) error {
	var body struct {
		Code string `json:"code"`
	}
	if err := c.BodyParser(&body); err != nil {
		return fiber.ErrBadRequest
	}
	agent, _ := c.Locals(localAgent).(string)
	l, err := s.links.RedeemCode(c.UserContext(), agent, body.Code)
	switch {
	case errors.Is(err, linking.ErrBadCode):
		return fiber.NewError(fiber.StatusBadRequest, err.Error())
	case errors.Is(err, linking.ErrTooMany):
		return fiber.NewError(fiber.StatusTooManyRequests, err.Error())
	case err != nil:
		return err
	}
	return c.JSON(l)
}

func (s *Server) claimHandle(c *fiber.Ctx) error {
	agent, _ := c.Locals(localAgent).(string)
	err := s.links.ClaimHandle(c.UserContext(), agent, c.FormValue("handle"))
	if errors.Is(err, linking.ErrHandleTaken) {
		return fiber.NewError(fiber.StatusConflict, err.Error())
	}
	return err
}

// rotateToken replaces the caller's CLI token with a new one.
func (s *Server) rotateToken(c *fiber.Ctx) error {
	old, _ := c.Locals("token").(string)
	rec, err := s.loadToken(c.UserContext(), old)
	if err != nil {
		return err
	}
	fresh, err := newToken()
	if err != nil {
		return err
	}
	rec.Created, rec.LastUsed = time.Now().UTC(), time.Time{}
	raw, _ := json.Marshal(rec)
	if err := s.ns.PutTTL(c.UserContext(), tokenKey(fresh), raw, tokenIdle); err != nil {
		return err
	}
	if err := s.ns.Delete(c.UserContext(), tokenKey(old)); err != nil { // EXPECT kvsession
		return err
	}
	return c.JSON(fiber.Map{"token": fresh})
}

// listAgents returns the agents that linked a Telegram account.
func (s *Server) listAgents(c *fiber.Ctx) error {
	api, rc, id := s.ns.API()
	resp, err := api.ListWorkersKVKeys(c.UserContext(), rc, cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
		NamespaceID: id,
		Prefix:      "acct:agent:",
	})
	if err != nil {
		return err
	}
	agents := make([]string, 0, len(resp.Result))
	for _, k := range resp.Result {
		agents = append(agents, strings.TrimPrefix(k.Name, "acct:agent:"))
	}
	return c.JSON(fiber.Map{"agents": agents, "total": len(agents)})
}

func (s *Server) putCanned(c *fiber.Ctx) error {
	name := strings.ToLower(c.Params("name"))
	if name == "" || len(c.Body()) == 0 {
		return fiber.ErrBadRequest
	}
	if err := s.ns.Put(c.UserContext(), "canned:"+name, c.Body()); err != nil {
		return err
	}
	return s.ns.Delete(c.UserContext(), "faqcache:"+name)
}

// importCanned replaces canned replies from an exported JSON object.
func (s *Server) importCanned(c *fiber.Ctx) error {
	var in map[string]string
	if err := json.Unmarshal(c.Body(), &in); err != nil {
		return fiber.ErrBadRequest
	}
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(in))
	for name, text := range in {
		pairs = append(pairs, &cloudflare.WorkersKVPair{Key: "canned:" + strings.ToLower(name), Value: text})
	}
	if err := s.ns.BulkPut(c.UserContext(), pairs); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"imported": len(pairs)})
}
