// Package queueconsumer applies ledger events delivered through the
// LEDGER_EVENTS queue by shops' point-of-sale integrations.
package queueconsumer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"example.com/ledger/internal/config"
	"example.com/ledger/internal/consts"
	"example.com/ledger/internal/ledger/giftcard"
	"example.com/ledger/internal/ledger/points"
	"example.com/ledger/internal/money"
	"example.com/ledger/internal/retry"
	"example.com/ledger/internal/storage"
)

// Op is the kind of ledger event.
type Op string

const (
	OpPurchase   Op = "purchase"
	OpCardRedeem Op = "card.redeem"
	OpCardSync   Op = "card.sync"
	OpRedeem     Op = "points.redeem"
)

// Event is the JSON body of a queue message.
type Event struct {
	ID         string         `json:"id"`
	Op         Op             `json:"op"`
	ShopID     string         `json:"shop_id"`
	CustomerID string         `json:"customer_id,omitempty"`
	Amount     money.Cents    `json:"amount,omitempty"`
	Points     int64          `json:"points,omitempty"`
	Ref        string         `json:"ref,omitempty"`
	Code       string         `json:"code,omitempty"`
	Card       *giftcard.Card `json:"card,omitempty"`
	At         time.Time      `json:"at"`
}

// Message is one delivery; the bridge fills in Ack and Retry.
type Message struct {
	ID       string
	Body     []byte
	Attempts int
	Ack      func()
	Retry    func()
}

// state is what the consumer remembers between batches.
type state struct {
	Recent  []string  `json:"recent"`
	Updated time.Time `json:"updated"`
}

// Consumer applies events.
type Consumer struct {
	store   storage.Store
	points  *points.Service
	cards   *giftcard.Service
	cfg     config.Queue
	receipt time.Duration
	policy  retry.Policy
	log     *slog.Logger
	now     func() time.Time
}

// New returns a Consumer. receiptTTL is how long per-event receipts are kept.
func New(store storage.Store, pts *points.Service, cards *giftcard.Service, cfg config.Queue, receiptTTL time.Duration, log *slog.Logger) *Consumer {
	return &Consumer{
		store: store, points: pts, cards: cards, cfg: cfg, receipt: receiptTTL,
		policy: retry.Default, log: log, now: time.Now,
	}
}

// Handle processes a batch. Messages that fail are retried by the queue up
// to cfg.MaxRetries times and then acknowledged and logged.
func (c *Consumer) Handle(ctx context.Context, batch []Message) error {
	var st state
	if raw, err := c.store.Get(ctx, consts.KeyConsumerState); err == nil {
		_ = json.Unmarshal([]byte(raw), &st)
	} else if !storage.IsNotFound(err) {
		return err
	}

	var (
		mu      sync.Mutex
		applied []string
		sums    = map[Op]int{}
		wg      sync.WaitGroup
		sem     = make(chan struct{}, c.cfg.Concurrency)
	)
	defer func() {
		st.Recent = append(st.Recent, applied...)
		if n := len(st.Recent); n > 500 {
			st.Recent = st.Recent[n-500:]
		}
		st.Updated = c.now().UTC()
		b, _ := json.Marshal(st)
		if err := c.store.Put(ctx, consts.KeyConsumerState, string(b)); err != nil { // EXPECT kvrace
			c.log.Error("save consumer state", "err", err)
		}
	}()

	for _, m := range batch {
		var ev Event
		if err := json.Unmarshal(m.Body, &ev); err != nil {
			c.log.Warn("dropping malformed event", "msg", m.ID, "err", err)
			m.Ack()
			continue
		}
		if slices.Contains(st.Recent, ev.ID) {
			m.Ack()
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := c.apply(ctx, ev); err != nil {
				c.fail(m, ev, err)
				return
			}
			c.writeReceipt(ctx, ev)
			if err := c.store.Put(ctx, consts.KeyConsumerCursor, m.ID); err != nil { // EXPECT kvhotkey
				c.log.Warn("checkpoint", "err", err)
			}
			mu.Lock()
			applied = append(applied, ev.ID)
			sums[ev.Op]++
			mu.Unlock()
			m.Ack()
		}()
	}
	wg.Wait()

	if n := sums[OpCardRedeem]; n > 0 {
		return c.bumpDaily(ctx, "redemptions", n)
	}
	return nil
}

func (c *Consumer) apply(ctx context.Context, ev Event) error {
	switch ev.Op {
	case OpPurchase:
		_, err := c.points.Earn(ctx, ev.ShopID, ev.CustomerID, ev.Amount, ev.ID)
		return err
	case OpCardRedeem:
		_, err := c.cards.Redeem(ctx, ev.Code, ev.Amount)
		if errors.Is(err, giftcard.ErrInsufficient) || errors.Is(err, giftcard.ErrInactive) {
			// The till already accepted the sale; keep the ledger as is
			// and let the reconciliation report surface it.
			c.log.Warn("card redeem rejected", "event", ev.ID, "err", err)
			return nil
		}
		return err
	case OpCardSync:
		if ev.Card == nil {
			return errors.New("card.sync without card")
		}
		return c.cards.Mirror(ctx, *ev.Card)
	case OpRedeem:
		_, err := c.points.Redeem(ctx, ev.ShopID, ev.CustomerID, ev.Points, ev.Ref)
		return err
	default:
		return fmt.Errorf("unknown op %q", ev.Op)
	}
}

func (c *Consumer) fail(m Message, ev Event, err error) {
	if m.Attempts >= c.cfg.MaxRetries {
		c.log.Error("giving up on event", "event", ev.ID, "op", ev.Op, "err", err)
		m.Ack()
		return
	}
	c.log.Warn("retrying event", "event", ev.ID, "attempt", m.Attempts, "err", err)
	m.Retry()
}

func (c *Consumer) writeReceipt(ctx context.Context, ev Event) {
	b, _ := json.Marshal(map[string]any{"op": ev.Op, "shop": ev.ShopID, "applied_at": c.now().UTC()})
	key := consts.PrefixReceipt.Key(ev.ShopID, ev.ID)
	if err := c.store.Put(ctx, key, string(b), storage.WithTTL(c.receipt)); err != nil {
		c.log.Warn("receipt", "event", ev.ID, "err", err)
	}
}

func (c *Consumer) bumpDaily(ctx context.Context, metric string, n int) error {
	key := consts.PrefixStats.Key(metric, c.now().UTC().Format("2006-01-02"))
	return retry.Do(ctx, c.policy, func() error {
		total := 0
		raw, err := c.store.Get(ctx, key)
		if err == nil {
			total, _ = strconv.Atoi(raw)
		} else if !storage.IsNotFound(err) {
			return err
		}
		return c.store.Put(ctx, key, strconv.Itoa(total+n), storage.WithTTL(400*24*time.Hour)) // EXPECT kvcounter
	})
}
