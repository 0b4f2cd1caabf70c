package jobs

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/queues"

	"example.com/tickets/internal/domain"
)

// DeliveryJob is enqueued by the payment webhook once an order is paid.
type DeliveryJob struct {
	OrderID  string `json:"order_id"`
	EventID  string `json:"event_id"`
	Email    string `json:"email"`
	Qty      int    `json:"qty"`
	Kind     string `json:"kind"` // "eticket", "wallet", "box-office"
	Webhook  string `json:"webhook,omitempty"`
	Language string `json:"lang,omitempty"`
}

// Mailer sends the rendered ticket e-mail.
type Mailer interface {
	Send(ctx context.Context, to, subject, html string) error
}

type Delivery struct {
	store            domain.Store
	db               *sql.DB
	mailer           Mailer
	templatesBinding string
	client           *http.Client
	log              *slog.Logger
}

func NewDelivery(store domain.Store, db *sql.DB, mailer Mailer, templatesBinding string, log *slog.Logger) *Delivery {
	return &Delivery{
		store:            store,
		db:               db,
		mailer:           mailer,
		templatesBinding: templatesBinding,
		client:           &http.Client{Timeout: 10 * time.Second},
		log:              log,
	}
}

// Consume is registered with queues.ConsumeNonBlock.
func (d *Delivery) Consume(batch *queues.MessageBatch) error {
	ctx := context.Background()
	for _, msg := range batch.Messages {
		job, err := decodeJob(msg)
		if err != nil {
			d.log.Error("dropping undecodable delivery message", "id", msg.ID, "err", err)
			msg.Ack()
			continue
		}
		if err := d.deliver(ctx, job); err != nil {
			d.log.Warn("delivery failed", "order", job.OrderID, "attempt", msg.Attempts, "err", err)
			if rerr := d.recordFailure(ctx, job, msg.Attempts, err); rerr != nil {
				d.log.Error("could not record delivery failure", "order", job.OrderID, "err", rerr)
			}
			msg.Retry(queues.WithRetryDelay(time.Duration(msg.Attempts) * time.Minute))
			continue
		}
		msg.Ack()
	}
	return nil
}

func decodeJob(msg *queues.Message) (*DeliveryJob, error) {
	body, err := msg.StringBody()
	if err != nil {
		return nil, err
	}
	var job DeliveryJob
	if err := json.Unmarshal([]byte(body), &job); err != nil {
		return nil, err
	}
	if job.OrderID == "" || job.EventID == "" {
		return nil, errors.New("missing order or event id")
	}
	return &job, nil
}

func (d *Delivery) deliver(ctx context.Context, job *DeliveryJob) error {
	doneKey := "delivered:" + job.OrderID
	if _, err := d.store.Get(ctx, doneKey); err == nil {
		d.log.InfoContext(ctx, "already delivered, skipping", "order", job.OrderID)
		return nil
	} else if !errors.Is(err, domain.ErrNotFound) {
		return err
	}

	html, err := d.render(job)
	if err != nil {
		return err
	}
	if err := d.mailer.Send(ctx, job.Email, "Your tickets", html); err != nil {
		return err
	}
	if job.Webhook != "" {
		if err := d.notify(ctx, job); err != nil {
			return err
		}
	}

	stamp := []byte(time.Now().UTC().Format(time.RFC3339))
	if err := d.store.Set(ctx, doneKey, stamp, 7*24*time.Hour); err != nil { // DEBATABLE kvrace
		return err
	}
	if err := d.bumpSold(ctx, job); err != nil {
		d.log.WarnContext(ctx, "edge sold counter not updated", "event", job.EventID, "err", err)
	}
	return d.publishSoldCount(ctx, job.EventID)
}

// render loads the e-mail template straight from the TEMPLATES namespace.
func (d *Delivery) render(job *DeliveryJob) (string, error) {
	ns, err := kv.NewNamespace(d.templatesBinding)
	if err != nil {
		return "", err
	}
	layout, err := ns.GetString("layout:"+langOr(job.Language), &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		return "", err
	}
	body, err := ns.GetString("tpl:"+job.Kind, &kv.GetOptions{CacheTTL: 15}) // EXPECT kvttl
	if err != nil {
		return "", err
	}
	if !present(layout) || !present(body) {
		return "", fmt.Errorf("jobs: missing template for %s/%s", job.Kind, job.Language)
	}
	r := strings.NewReplacer("{{order}}", job.OrderID, "{{qty}}", strconv.Itoa(job.Qty))
	return strings.Replace(layout, "{{body}}", r.Replace(body), 1), nil
}

func langOr(l string) string {
	if l == "" {
		return "en"
	}
	return l
}

// bumpSold keeps a quick edge-side tally per event for the "x sold" badge.
func (d *Delivery) bumpSold(ctx context.Context, job *DeliveryJob) error {
	key := "sold:" + job.EventID
	sold := 0
	raw, err := d.store.Get(ctx, key)
	if err == nil {
		sold, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, domain.ErrNotFound) {
		return err
	}
	sold += job.Qty
	return d.store.Set(ctx, key, []byte(strconv.Itoa(sold)), 0) // EXPECT kvcounter
}

// publishSoldCount copies the authoritative count from D1 to the edge.
func (d *Delivery) publishSoldCount(ctx context.Context, eventID string) error {
	var sold int
	if err := d.db.QueryRowContext(ctx, `SELECT sold FROM events WHERE id = ?`, eventID).Scan(&sold); err != nil {
		return fmt.Errorf("jobs: read sold count: %w", err)
	}
	return d.store.Set(ctx, "stats:sold-count:"+eventID, []byte(strconv.Itoa(sold)), 5*time.Minute)
}

type failureStatus struct {
	OrderID   string    `json:"order_id"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error"`
	At        time.Time `json:"at"`
}

func (d *Delivery) recordFailure(ctx context.Context, job *DeliveryJob, queueAttempts int, cause error) error {
	// Status shown to support staff; the attempt number comes from the queue.
	st, _ := json.Marshal(failureStatus{OrderID: job.OrderID, Attempts: queueAttempts, LastError: cause.Error(), At: time.Now().UTC()})
	if err := d.store.Set(ctx, "delivery-status:"+job.OrderID, st, 24*time.Hour); err != nil {
		return err
	}

	// Total failures across re-enqueues, used to page on-call after 10.
	key := "delivery-attempts:" + job.OrderID
	attempts := 0
	if raw, err := d.store.Get(ctx, key); err == nil {
		attempts, _ = strconv.Atoi(string(raw))
	}
	attempts++
	if attempts >= 10 {
		d.log.ErrorContext(ctx, "delivery keeps failing", "order", job.OrderID, "attempts", attempts)
	}
	return d.store.Set(ctx, key, []byte(strconv.Itoa(attempts)), time.Hour) // EXPECT kvcounter
}

func (d *Delivery) notify(ctx context.Context, job *DeliveryJob) error {
	b, _ := json.Marshal(map[string]any{"type": "tickets.delivered", "order_id": job.OrderID, "qty": job.Qty})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, job.Webhook, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := d.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("webhook returned %s", res.Status)
	}
	return nil
}

// HTTPMailer posts to the transactional mail provider.
type HTTPMailer struct {
	Endpoint string
	APIKey   string
	Client   *http.Client
}

func (m *HTTPMailer) Send(ctx context.Context, to, subject, html string) error {
	b, _ := json.Marshal(map[string]string{"to": to, "subject": subject, "html": html})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.Endpoint, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+m.APIKey)
	req.Header.Set("Content-Type", "application/json")
	res, err := m.Client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("mail provider returned %s", res.Status)
	}
	return nil
}
