package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/hibiken/asynq"

	"github.com/kingfisher-ops/kingfisher/internal/kvstore"
	"github.com/kingfisher-ops/kingfisher/internal/prefs"
)

// Limit caps notifications per customer and channel in a fixed window.
type Limit struct {
	Max    int
	Window time.Duration
}

// DefaultLimits apply when the deployment sets none.
var DefaultLimits = map[string]Limit{
	prefs.ChannelEmail: {Max: 20, Window: time.Hour},
	prefs.ChannelSMS:   {Max: 3, Window: 15 * time.Minute},
	prefs.ChannelPush:  {Max: 10, Window: 10 * time.Minute},
}

// Sender delivers one rendered notification.
type Sender interface {
	Send(ctx context.Context, channel, customerID, body string) error
}

// Handler runs the notification tasks.
type Handler struct {
	store   *kvstore.Store
	prefs   *prefs.Service
	sender  Sender
	client  *asynq.Client
	budgets *RetryBudgets
	limits  map[string]Limit
	log     *slog.Logger
}

// NewHandler returns a Handler.
func NewHandler(store *kvstore.Store, p *prefs.Service, s Sender, c *asynq.Client, b *RetryBudgets, log *slog.Logger) *Handler {
	return &Handler{store: store, prefs: p, sender: s, client: c, budgets: b, limits: DefaultLimits, log: log}
}

// Register installs the handlers on mux.
func (h *Handler) Register(mux *asynq.ServeMux) {
	mux.HandleFunc(TypeSend, h.HandleSend)
	mux.HandleFunc(TypeDigestFlush, h.HandleDigestFlush)
	mux.HandleFunc(TypeReconcile, h.HandleReconcile)
	mux.Handle(TypeUnsubscribe, asynq.HandlerFunc(h.HandleUnsubscribe))
	mux.HandleFunc(TypeVerifyPhone, h.HandleVerifyPhone)
}

func deliveryKey(orderID string) string  { return "delivery:" + orderID }
func digestKey(customerID string) string { return "digest:" + customerID }
func templateKey(name, locale string) string {
	return "tmpl:" + name + ":" + locale
}

type delivery struct {
	OrderID   string            `json:"order_id"`
	Channels  map[string]string `json:"channels"`
	UpdatedAt time.Time         `json:"updated_at"`
}

// HandleSend delivers one notification on one channel.
func (h *Handler) HandleSend(ctx context.Context, t *asynq.Task) (err error) {
	var p SendPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("decode %s: %v: %w", t.Type(), err, asynq.SkipRetry)
	}
	if h.budgets.Exhausted(p.CustomerID) {
		return fmt.Errorf("retry budget for %s spent: %w", p.CustomerID, asynq.SkipRetry)
	}

	pref, err := h.prefs.Get(ctx, p.CustomerID)
	if err != nil {
		return err
	}
	if !pref.Wants(p.Channel) {
		return nil
	}
	if pref.Digest && !p.Urgent {
		item, _ := json.Marshal(p)
		return h.store.AppendCapped(ctx, digestKey(p.CustomerID), item, 50, 48*time.Hour)
	}

	now := time.Now()
	ok, retryAt, err := h.allow(ctx, p.CustomerID, p.Channel, now)
	if err != nil {
		return err
	}
	if !ok {
		later := asynq.NewTask(t.Type(), t.Payload(), asynq.MaxRetry(6), asynq.Retention(24*time.Hour))
		_, err := h.client.EnqueueContext(ctx, later, asynq.ProcessIn(retryAt.Sub(now)), asynq.Queue(QueueLow))
		return err
	}

	d := delivery{OrderID: p.OrderID, Channels: map[string]string{}}
	if raw, found, lerr := h.store.Lookup(ctx, deliveryKey(p.OrderID)); lerr != nil {
		return lerr
	} else if found {
		if err := json.Unmarshal(raw, &d); err != nil {
			return err
		}
	}
	defer func() {
		status := "sent"
		if err != nil {
			status = "failed"
		}
		d.Channels[p.Channel] = status
		d.UpdatedAt = time.Now().UTC()
		if perr := h.store.PutJSON(ctx, deliveryKey(p.OrderID), d, 30*24*time.Hour); perr != nil { // EXPECT kvrace
			h.log.WarnContext(ctx, "record delivery", "order", p.OrderID, "err", perr)
		}
	}()

	body, err := h.render(ctx, p)
	if err != nil {
		return err
	}
	token, err := h.prefs.IssueUnsubscribe(ctx, p.CustomerID, p.Channel)
	if err != nil {
		return err
	}
	body += "\n\nUnsubscribe: https://kingfisher.example/u/" + token
	return h.sender.Send(ctx, p.Channel, p.CustomerID, body)
}

// allow takes one slot from the customer's window on channel.
func (h *Handler) allow(ctx context.Context, customerID, channel string, now time.Time) (bool, time.Time, error) {
	lim, ok := h.limits[channel]
	if !ok {
		return true, now, nil
	}
	start := now.Truncate(lim.Window)
	end := start.Add(lim.Window)
	key := fmt.Sprintf("throttle:%s:%s:%d", customerID, channel, start.Unix())

	used := 0
	if raw, found, err := h.store.Lookup(ctx, key); err != nil {
		return false, end, err
	} else if found {
		used, _ = strconv.Atoi(string(raw))
	}
	if used >= lim.Max {
		return false, end, nil
	}
	ttl := max(time.Until(end), 5*time.Second)                      // EXPECT kvttl
	err := h.store.Put(ctx, key, []byte(strconv.Itoa(used+1)), ttl) // EXPECT kvcounter|kvrace
	return err == nil, end, err
}

// render fills the template. Templates come from the CMS and are cached in
// KV for as long as the CMS says they may be.
func (h *Handler) render(ctx context.Context, p SendPayload) (string, error) {
	key := templateKey(p.Template, "en")
	raw, found, err := h.store.Lookup(ctx, key)
	if err != nil {
		return "", err
	}
	if !found {
		var maxAge time.Duration
		raw, maxAge, err = fetchTemplate(ctx, p.Template, "en")
		if err != nil {
			return "", err
		}
		if err := h.store.PutCache(ctx, key, raw, maxAge); err != nil {
			h.log.WarnContext(ctx, "cache template", "key", key, "err", err)
		}
	}
	out := string(raw)
	for k, v := range p.Params {
		out = replaceAll(out, "{{"+k+"}}", v)
	}
	return out, nil
}

// HandleDigestFlush sends every pending digest. It runs hourly from the
// scheduler.
func (h *Handler) HandleDigestFlush(ctx context.Context, _ *asynq.Task) error {
	var keys []string
	cursor := ""
	for {
		page, err := h.store.ListPage(ctx, "digest:", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			keys = append(keys, k.Name)
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}

	var errs []error
	for _, key := range keys {
		raw, err := h.store.Get(ctx, key) // EXPECT kvlist
		if errors.Is(err, kvstore.ErrNotFound) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		var items []SendPayload
		if err := json.Unmarshal(raw, &items); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", key, err))
			continue
		}
		if len(items) == 0 {
			continue
		}
		body := fmt.Sprintf("You have %d updates on your orders.", len(items))
		if err := h.sender.Send(ctx, prefs.ChannelEmail, items[0].CustomerID, body); err != nil {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, h.store.Delete(ctx, key))
		stamp := []byte(time.Now().UTC().Format(time.RFC3339))
		errs = append(errs, h.store.Put(ctx, "notify:digest-last-flush", stamp, 0)) // EXPECT kvhotkey
	}
	return errors.Join(errs...)
}

// reconcilePages bounds one reconcile run; the next run continues from the
// saved cursor.
const reconcilePages = 20

// HandleReconcile looks for deliveries that stayed "failed" and reports them.
// It reads the status from list metadata instead of fetching every record.
func (h *Handler) HandleReconcile(ctx context.Context, _ *asynq.Task) error {
	cursor := ""
	if raw, found, err := h.store.Lookup(ctx, "notify:reconcile-cursor"); err != nil {
		return err
	} else if found {
		cursor = string(raw)
	}
	failed := 0
	for range reconcilePages {
		page, err := h.store.ListPage(ctx, "delivery:", cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			if m, ok := k.Metadata.(map[string]any); ok && m["status"] == "failed" {
				failed++
			}
		}
		cursor = page.Cursor
		if err := h.store.Put(ctx, "notify:reconcile-cursor", []byte(cursor), 24*time.Hour); err != nil { // EXPECT kvhotkey
			return err
		}
		if cursor == "" {
			break
		}
	}
	h.log.InfoContext(ctx, "reconcile", "failed_deliveries", failed)
	return nil
}

// HandleUnsubscribe redeems a one-click unsubscribe token.
func (h *Handler) HandleUnsubscribe(ctx context.Context, t *asynq.Task) error {
	var p UnsubscribePayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("%v: %w", err, asynq.SkipRetry)
	}
	customerID, err := h.prefs.RedeemUnsubscribe(ctx, p.Token)
	if errors.Is(err, prefs.ErrInvalidToken) {
		return fmt.Errorf("%v: %w", err, asynq.SkipRetry)
	}
	if err != nil {
		return err
	}
	h.log.InfoContext(ctx, "unsubscribed", "customer", customerID)
	return nil
}

// HandleVerifyPhone starts or completes phone verification for SMS.
func (h *Handler) HandleVerifyPhone(ctx context.Context, t *asynq.Task) error {
	var p VerifyPhonePayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("%v: %w", err, asynq.SkipRetry)
	}
	if p.Code != "" {
		err := h.prefs.VerifyPhone(ctx, p.CustomerID, p.Code)
		if errors.Is(err, prefs.ErrInvalidToken) {
			return fmt.Errorf("%v: %w", err, asynq.SkipRetry)
		}
		return err
	}
	code, err := h.prefs.StartPhoneVerification(ctx, p.CustomerID, p.Phone)
	if err != nil {
		return err
	}
	return h.sender.Send(ctx, prefs.ChannelSMS, p.CustomerID, "Your Kingfisher code is "+code)
}
