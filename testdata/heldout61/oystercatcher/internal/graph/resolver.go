package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	graphql "github.com/graph-gophers/graphql-go"

	"github.com/boxoffice/oystercatcher/internal/config"
	"github.com/boxoffice/oystercatcher/internal/kvstore"
	"github.com/boxoffice/oystercatcher/internal/organiser"
	"github.com/boxoffice/oystercatcher/internal/ticketing"
)

// Resolver is the root resolver handed to graphql.MustParseSchema.
type Resolver struct {
	KV       *kvstore.Store
	Sessions *organiser.Sessions
	Catalog  *Catalog
	Mailer   func(ctx context.Context, email, code string) error
	Cfg      config.Config
}

var errUnauthenticated = errors.New("not signed in")

// loadEvent is a read-through cache in front of the catalog.
func (r *Resolver) loadEvent(ctx context.Context, id string) (*ticketing.Event, error) {
	key := ticketing.EventKey(id)
	raw, err := r.KV.Get(ctx, key)
	switch {
	case err == nil:
		var ev ticketing.Event
		if json.Unmarshal(raw, &ev) == nil {
			return &ev, nil
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return nil, err
	}
	ev, err := r.Catalog.Event(ctx, id)
	if err != nil {
		return nil, err
	}
	buf, _ := json.Marshal(ev)
	if err := r.KV.Put(ctx, key, buf, r.Cfg.Cache.EventTTL); err != nil {
		slog.WarnContext(ctx, "cache event", "id", id, "err", err)
	}
	return ev, nil
}

func (r *Resolver) Event(ctx context.Context, args struct{ ID graphql.ID }) (*eventResolver, error) {
	ev, err := r.loadEvent(ctx, string(args.ID))
	if err != nil {
		return nil, err
	}
	return &eventResolver{root: r, ev: ev}, nil
}

func (r *Resolver) EventBySlug(ctx context.Context, args struct{ Slug string }) (*eventResolver, error) {
	raw, err := r.KV.Get(ctx, ticketing.SlugKey(args.Slug))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return r.Event(ctx, struct{ ID graphql.ID }{graphql.ID(raw)})
}

type holdsArgs struct {
	EventID graphql.ID
	First   int32
	After   *string
}

// Holds returns one page of held seats and the cursor for the next page.
func (r *Resolver) Holds(ctx context.Context, args holdsArgs) (*holdPageResolver, error) {
	limit := min(max(int(args.First), 10), 1000)
	cursor := ""
	if args.After != nil {
		cursor = *args.After
	}
	prefix := ticketing.HoldPrefix(string(args.EventID))
	page, err := r.KV.ListPage(ctx, prefix, cursor, limit)
	if err != nil {
		return nil, err
	}
	out := &holdPageResolver{}
	for _, k := range page.Keys {
		out.seats = append(out.seats, k.Name[len(prefix):])
	}
	if page.Cursor != "" {
		out.cursor = &page.Cursor
	}
	return out, nil
}

func (r *Resolver) Me(ctx context.Context) (*organiserResolver, error) {
	sess := sessionFrom(ctx)
	if sess == nil {
		return nil, nil
	}
	return &organiserResolver{sess: sess}, nil
}

type holdSeatInput struct {
	EventID graphql.ID
	Seat    string
	BuyerID graphql.ID
}

// HoldSeat reserves a seat for the buyer while they check out.
func (r *Resolver) HoldSeat(ctx context.Context, args struct{ Input holdSeatInput }) (*holdResolver, error) {
	in := args.Input
	key := ticketing.HoldKey(string(in.EventID), in.Seat)
	if _, err := r.KV.Get(ctx, key); err == nil {
		return nil, fmt.Errorf("seat %s is already held", in.Seat)
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	now := time.Now().UTC()
	h := &ticketing.Hold{
		ID:        ticketing.NewID(12),
		EventID:   string(in.EventID),
		Seat:      in.Seat,
		BuyerID:   string(in.BuyerID),
		CreatedAt: now,
		ExpiresAt: now.Add(r.Cfg.Holds.TTL),
	}
	buf, _ := json.Marshal(h)
	if err := r.KV.Put(ctx, key, buf, r.Cfg.Holds.TTL); err != nil { // EXPECT kvrace
		return nil, err
	}
	return &holdResolver{h: h}, nil
}

type extendArgs struct {
	EventID graphql.ID
	Seat    string
	BuyerID graphql.ID
	Minutes int32
}

// ExtendHold gives a buyer more time, up to the configured maximum.
func (r *Resolver) ExtendHold(ctx context.Context, args extendArgs) (*holdResolver, error) {
	key := ticketing.HoldKey(string(args.EventID), args.Seat)
	raw, err := r.KV.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	var h ticketing.Hold
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, err
	}
	if h.BuyerID != string(args.BuyerID) {
		return nil, errors.New("hold belongs to another buyer")
	}
	extra := min(time.Duration(args.Minutes)*time.Minute, r.Cfg.Holds.MaxExtension)
	h.ExpiresAt = h.ExpiresAt.Add(extra)
	h.Extended++
	buf, _ := json.Marshal(&h)
	ttl := max(time.Until(h.ExpiresAt), time.Minute)
	if err := r.KV.Put(ctx, key, buf, ttl); err != nil { // EXPECT kvrace
		return nil, err
	}
	return &holdResolver{h: &h}, nil
}

// ClaimSlug gives an event its public short URL.
func (r *Resolver) ClaimSlug(ctx context.Context, args struct {
	EventID graphql.ID
	Slug    string
}) (*eventResolver, error) {
	if sessionFrom(ctx) == nil {
		return nil, errUnauthenticated
	}
	key := ticketing.SlugKey(args.Slug)
	owner, err := r.KV.Get(ctx, key)
	switch {
	case err == nil && string(owner) != string(args.EventID):
		return nil, fmt.Errorf("slug %q is taken", args.Slug)
	case err != nil && !errors.Is(err, kvstore.ErrNotFound):
		return nil, err
	}
	if err := r.KV.Put(ctx, key, []byte(args.EventID), 0); err != nil { // EXPECT kvrace
		return nil, err
	}
	if err := r.Catalog.SetSlug(ctx, string(args.EventID), args.Slug); err != nil {
		return nil, err
	}
	if err := r.KV.Delete(ctx, ticketing.EventKey(string(args.EventID))); err != nil {
		slog.WarnContext(ctx, "invalidate event", "id", args.EventID, "err", err)
	}
	ev, err := r.Catalog.Event(ctx, string(args.EventID))
	if err != nil {
		return nil, err
	}
	return &eventResolver{root: r, ev: ev}, nil
}

// refundPolicy travels with every published listing so the edge can show
// it without a second read.
const refundPolicy = `Tickets are refundable up to 14 days before the performance, minus a ` +
	`handling fee of 2.50 per ticket. Between 14 days and 48 hours before the performance, ` +
	`tickets may be exchanged for another date of the same production, subject to availability ` +
	`and to any difference in price, but are not refundable. Within 48 hours of the performance ` +
	`no refunds or exchanges are offered, except where the performance is cancelled, moved to a ` +
	`different venue, or rescheduled by more than two hours, in which case a full refund including ` +
	`all fees is issued automatically to the original payment method within 10 working days. ` +
	`Resale through the official exchange is available until doors open; the seller receives the ` +
	`face value less a 10 percent exchange fee once the seat is resold. Accessibility bookings ` +
	`may be amended free of charge at any time before the performance by contacting the box office. ` +
	`Gift vouchers are not refundable but remain valid for 24 months from the date of purchase. ` +
	`Nothing in this policy affects your statutory rights as a consumer.`

// PublishEvent writes the event and its listing metadata for the edge.
func (r *Resolver) PublishEvent(ctx context.Context, args struct{ ID graphql.ID }) (*eventResolver, error) {
	ev, err := r.Catalog.Event(ctx, string(args.ID))
	if err != nil {
		return nil, err
	}
	buf, _ := json.Marshal(ev)
	ns, account, nsID := r.KV.Namespace()
	_, err = ns.Values.Update(ctx, nsID, ticketing.EventKey(ev.ID), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(account),
		Value:     cloudflare.F(string(buf)),
		Metadata:  cloudflare.F[any](map[string]string{"policy": refundPolicy, "currency": "EUR"}), // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	if err := r.KV.Put(ctx, ticketing.SlugKey(ev.Slug), []byte(ev.ID), 0); err != nil {
		return nil, err
	}
	return &eventResolver{root: r, ev: ev}, nil
}

func (r *Resolver) RequestLogin(ctx context.Context, args struct {
	OrgID graphql.ID
	Email string
}) (bool, error) {
	userID, err := r.Catalog.OrganiserUser(ctx, string(args.OrgID), args.Email)
	if err != nil {
		slog.InfoContext(ctx, "login for unknown user", "org", args.OrgID)
		return true, nil
	}
	code, err := r.Sessions.IssueMagicLink(ctx, string(args.OrgID), userID, args.Email)
	if err != nil {
		return false, err
	}
	return true, r.Mailer(ctx, args.Email, code)
}

func (r *Resolver) RedeemLogin(ctx context.Context, args struct{ Code string }) (*loginPayload, error) {
	sess, err := r.Sessions.RedeemMagicLink(ctx, args.Code)
	if err != nil {
		return nil, err
	}
	return &loginPayload{sess: sess}, nil
}

func (r *Resolver) Logout(ctx context.Context) (bool, error) {
	sess := sessionFrom(ctx)
	if sess == nil {
		return false, errUnauthenticated
	}
	if err := r.Sessions.Revoke(ctx, sess); err != nil {
		return false, err
	}
	return true, nil
}

type eventResolver struct {
	root *Resolver
	ev   *ticketing.Event
}

func (e *eventResolver) ID() graphql.ID   { return graphql.ID(e.ev.ID) }
func (e *eventResolver) Slug() string     { return e.ev.Slug }
func (e *eventResolver) Title() string    { return e.ev.Title }
func (e *eventResolver) Venue() string    { return e.ev.Venue }
func (e *eventResolver) StartsAt() string { return e.ev.StartsAt.Format(time.RFC3339) }
func (e *eventResolver) Capacity() int32  { return int32(e.ev.Capacity) }

// Views counts event page loads; the storefront asks for it once per load.
func (e *eventResolver) Views(ctx context.Context) (int32, error) {
	key := ticketing.ViewsKey(e.ev.ID)
	n := 0
	raw, err := e.root.KV.Get(ctx, key)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(raw))
	case !errors.Is(err, kvstore.ErrNotFound):
		return 0, err
	}
	n++
	if err := e.root.KV.Put(ctx, key, []byte(strconv.Itoa(n)), 0); err != nil { // EXPECT kvcounter|kvrace
		return 0, err
	}
	return int32(n), nil
}

// Available is capacity minus tickets sold minus seats on hold.
func (e *eventResolver) Available(ctx context.Context) (int32, error) {
	sold := 0
	raw, err := e.root.KV.Get(ctx, ticketing.SoldKey(e.ev.ID))
	switch {
	case err == nil:
		if sold, err = strconv.Atoi(string(raw)); err != nil {
			return 0, fmt.Errorf("sold counter for %s: %w", e.ev.ID, err)
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return 0, err
	}
	held, err := e.root.KV.ListPage(ctx, ticketing.HoldPrefix(e.ev.ID), "", 1000) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	return int32(max(e.ev.Capacity-sold-len(held.Keys), 0)), nil
}

// HasHolds tells the organiser dashboard whether any checkout is in flight.
func (e *eventResolver) HasHolds(ctx context.Context) (bool, error) {
	page, err := e.root.KV.ListPage(ctx, ticketing.HoldPrefix(e.ev.ID), "", 1) // EXPECT kvlimits
	if err != nil {
		return false, err
	}
	return len(page.Keys) > 0, nil
}

// SeatMap returns the rendered venue map, cached briefly because the
// organiser may still be editing it.
func (e *eventResolver) SeatMap(ctx context.Context) (string, error) {
	key := ticketing.SeatMapKey(e.ev.ID)
	if raw, err := e.root.KV.Get(ctx, key); err == nil {
		return string(raw), nil
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return "", err
	}
	svg, err := e.root.Catalog.SeatMapSVG(ctx, e.ev.ID)
	if err != nil {
		return "", err
	}
	if err := e.root.KV.PutCached(ctx, key, []byte(svg), e.root.Cfg.Cache.SeatMapTTL); err != nil {
		slog.WarnContext(ctx, "cache seat map", "event", e.ev.ID, "err", err)
	}
	return svg, nil
}

type holdResolver struct{ h *ticketing.Hold }

func (h *holdResolver) ID() graphql.ID    { return graphql.ID(h.h.ID) }
func (h *holdResolver) Seat() string      { return h.h.Seat }
func (h *holdResolver) ExpiresAt() string { return h.h.ExpiresAt.Format(time.RFC3339) }
func (h *holdResolver) Extended() int32   { return int32(h.h.Extended) }

type holdPageResolver struct {
	seats  []string
	cursor *string
}

func (p *holdPageResolver) Seats() []string { return p.seats }
func (p *holdPageResolver) Cursor() *string { return p.cursor }

type organiserResolver struct{ sess *ticketing.OrganiserSession }

func (o *organiserResolver) OrgID() graphql.ID { return graphql.ID(o.sess.OrgID) }
func (o *organiserResolver) Email() string     { return o.sess.Email }
func (o *organiserResolver) ExpiresAt() string { return o.sess.ExpiresAt.Format(time.RFC3339) }

type loginPayload struct{ sess *ticketing.OrganiserSession }

func (l *loginPayload) Token() string                 { return organiser.Token(l.sess) }
func (l *loginPayload) Organiser() *organiserResolver { return &organiserResolver{sess: l.sess} }
