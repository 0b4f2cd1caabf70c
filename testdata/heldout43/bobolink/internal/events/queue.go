package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"bobolink/internal/campaigns"
	"bobolink/internal/cfkv"
	"bobolink/internal/clock"
	"bobolink/internal/kvkeys"
	"bobolink/internal/subscribers"
	"bobolink/internal/tenants"
	"bobolink/internal/throttle"
)

// Message is one work item from the daemon's queue.
type Message struct {
	Kind     string            `json:"kind"`
	Tenant   string            `json:"tenant"`
	List     string            `json:"list"`
	Campaign string            `json:"campaign"`
	User     string            `json:"user"`
	Token    string            `json:"token"`
	Domain   string            `json:"domain"`
	At       time.Time         `json:"at"`
	Segments map[string]string `json:"segments"`
	Queue    []string          `json:"queue"`
	Keys     []string          `json:"keys"`
	Tag      string            `json:"tag"`
}

// Consumer handles queue messages.
type Consumer struct {
	tenants  *tenants.Registry
	throttle *throttle.Throttle
	resend   func(context.Context, string) error
	clock    clock.Clock
	log      *slog.Logger
	maxPages int
}

// NewConsumer wires a consumer.
func NewConsumer(reg *tenants.Registry, th *throttle.Throttle, resend func(context.Context, string) error, c clock.Clock, log *slog.Logger) *Consumer {
	return &Consumer{tenants: reg, throttle: th, resend: resend, clock: c, log: log, maxPages: 50}
}

// Handle routes a message by kind.
func (c *Consumer) Handle(ctx context.Context, m Message) error {
	switch m.Kind {
	case "campaign.schedule":
		ns, err := c.tenants.Namespace(m.Tenant)
		if err != nil {
			return err
		}
		camp, err := campaigns.NewBook(ns, c.clock).Find(ctx, m.Tenant, m.Campaign)
		if err != nil {
			return err
		}
		return camp.Schedule(ctx, m.At)
	case "list.recount":
		return c.recount(ctx, m)
	case "list.segments":
		return c.mergeSegments(ctx, m)
	case "list.tag":
		return c.tag(ctx, m)
	case "list.audit":
		return c.audit(ctx, m)
	case "token.revoke":
		return c.tenants.RevokeAPIToken(ctx, m.Token)
	case "user.password_changed":
		return c.endSessions(ctx, m.User)
	case "domain.retry":
		_, err := c.throttle.Drain(ctx, kvkeys.Domain(m.Domain), m.Queue, c.resend)
		return err
	default:
		return fmt.Errorf("events: unknown message kind %q", m.Kind)
	}
}

// recount recomputes a list's member count for the dashboard.
func (c *Consumer) recount(ctx context.Context, m Message) error {
	ns, err := c.tenants.Namespace(m.Tenant)
	if err != nil {
		return err
	}
	n := 0
	iter := ns.Iter(ctx, kvkeys.SubscriberPrefix(m.List)) // EXPECT kvlist
	for iter.Next() {
		n++
	}
	if err := iter.Err(); err != nil {
		return err
	}
	return ns.Put(ctx, kvkeys.ListKey(m.List).Members(), []byte(strconv.Itoa(n)), cfkv.PutOptions{}) // DEBATABLE kvcounter
}

// mergeSegments adds or replaces segment definitions on a list.
func (c *Consumer) mergeSegments(ctx context.Context, m Message) error {
	ns, err := c.tenants.Namespace(m.Tenant)
	if err != nil {
		return err
	}
	key := kvkeys.ListKey(m.List).Segments()
	segs := map[string]string{}
	raw, err := ns.Get(ctx, key)
	if err != nil && !errors.Is(err, cfkv.ErrNotFound) {
		return err
	}
	if err == nil {
		if err := json.Unmarshal(raw, &segs); err != nil {
			return err
		}
	}
	for name, rule := range m.Segments {
		if rule == "" {
			delete(segs, name)
			continue
		}
		segs[name] = rule
	}
	b, _ := json.Marshal(segs)
	return ns.Put(ctx, key, b, cfkv.PutOptions{}) // EXPECT kvrace
}

// tag applies a tag to the subscriber keys collected by the edge's reindex.
func (c *Consumer) tag(ctx context.Context, m Message) error {
	ns, err := c.tenants.Namespace(m.Tenant)
	if err != nil {
		return err
	}
	dir := subscribers.NewDirectory(ns, c.clock)
	var errs []error
	for _, k := range m.Keys {
		parts := strings.SplitN(k, "/", 3)
		if len(parts) != 3 || parts[0] != "sub" {
			continue
		}
		email, err := url.PathUnescape(parts[2])
		if err != nil {
			continue
		}
		if err := dir.New(parts[1], email).AddTag(ctx, m.Tag); err != nil && !errors.Is(err, cfkv.ErrNotFound) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// audit reports subscribers whose record is malformed.
func (c *Consumer) audit(ctx context.Context, m Message) error {
	ns, err := c.tenants.Namespace(m.Tenant)
	if err != nil {
		return err
	}
	prefix := kvkeys.SubscriberPrefix(m.List)
	cursor := ""
	bad := 0
	for page := 0; page < c.maxPages; page++ {
		keys, next, err := ns.ListPage(ctx, prefix, cursor, 5000) // EXPECT kvlimits
		if err != nil {
			return err
		}
		for _, k := range keys {
			raw, err := ns.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				continue
			}
			var s subscribers.Subscriber
			if json.Unmarshal(raw, &s) != nil || s.Email == "" {
				bad++
				c.log.Info("malformed subscriber", "key", k.Name)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	c.log.Info("audit done", "tenant", m.Tenant, "list", m.List, "bad", bad)
	return nil
}

// endSessions signs an admin user out everywhere after a password change.
func (c *Consumer) endSessions(ctx context.Context, user string) error {
	sys := c.tenants.System
	prefix := kvkeys.UserSessionsPrefix(user)
	var stale []string
	cursor := ""
	for page := 0; page < 5; page++ {
		keys, next, err := sys.ListPage(ctx, prefix, cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range keys {
			sid := strings.TrimPrefix(k.Name, prefix)
			stale = append(stale, kvkeys.SessionKey(sid).String(), k.Name)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if len(stale) == 0 {
		return nil
	}
	return sys.DeleteMany(ctx, stale) // EXPECT kvsession
}
