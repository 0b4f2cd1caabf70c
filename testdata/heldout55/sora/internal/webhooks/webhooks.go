// Package webhooks delivers shipment events to the endpoints partners have
// registered, and keeps per-delivery attempt records.
package webhooks

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"sync"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"sora/internal/config"
	"sora/internal/edgekv"
	"sora/internal/httpx"
)

var (
	// ns and db are set by main.
	ns *edgekv.Namespace
	db *sql.DB
	// httpClient is shared by every HTTP sink.
	httpClient = &http.Client{Timeout: 10 * time.Second}
)

// Init wires the package.
func Init(n *edgekv.Namespace, sqlDB *sql.DB) { ns, db = n, sqlDB }

// Event is a shipment event as partners receive it.
type Event struct {
	ID        string    `json:"id"`
	PartnerID string    `json:"partner_id"`
	Shipment  string    `json:"shipment"`
	Code      string    `json:"code"`
	At        time.Time `json:"at"`
}

// Sink is one destination for events.
type Sink interface {
	Name() string
	Send(ctx context.Context, ev Event) error
}

type httpSink struct {
	id     string
	url    string
	secret string
}

func (s httpSink) Name() string { return s.id }

func (s httpSink) Send(ctx context.Context, ev Event) error {
	body, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	mac := hmac.New(sha256.New, []byte(s.secret))
	mac.Write(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Sora-Signature", hex.EncodeToString(mac.Sum(nil)))
	res, err := httpClient.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode >= 300 {
		return &statusError{code: res.StatusCode}
	}
	return nil
}

type logSink struct{ prefix string }

func (s logSink) Name() string { return "log" }

func (s logSink) Send(_ context.Context, ev Event) error {
	log.Printf("%s %s %s %s", s.prefix, ev.PartnerID, ev.Shipment, ev.Code)
	return nil
}

type statusError struct{ code int }

func (e *statusError) Error() string { return "endpoint answered " + strconv.Itoa(e.code) }

// auditSinks receive every event in addition to the partner's endpoints.
var auditSinks = []Sink{logSink{prefix: "webhook"}}

type endpointRow struct {
	ID     string `json:"id"`
	URL    string `json:"url"`
	Secret string `json:"secret"`
}

// endpointsFor returns the partner's endpoints, cached in KV in front of the
// database.
func endpointsFor(ctx context.Context, partnerID string) ([]Sink, error) {
	key := "endpoints:" + partnerID
	var rows []endpointRow
	raw, ok, err := ns.Read(ctx, key)
	if err != nil {
		return nil, err
	}
	if ok {
		if err := json.Unmarshal(raw, &rows); err != nil {
			return nil, err
		}
	} else {
		q, err := db.QueryContext(ctx, `SELECT id, url, secret FROM webhook_endpoints WHERE partner_id = $1 AND enabled`, partnerID)
		if err != nil {
			return nil, err
		}
		defer q.Close()
		for q.Next() {
			var r endpointRow
			if err := q.Scan(&r.ID, &r.URL, &r.Secret); err != nil {
				return nil, err
			}
			rows = append(rows, r)
		}
		b, _ := json.Marshal(rows)
		if err := ns.Write(ctx, key, b, 5*time.Minute); err != nil {
			log.Printf("endpoint cache %s: %v", partnerID, err)
		}
	}
	sinks := make([]Sink, 0, len(rows)+len(auditSinks))
	for _, r := range rows {
		sinks = append(sinks, httpSink{id: r.ID, url: r.URL, secret: r.Secret})
	}
	return append(sinks, auditSinks...), nil
}

// DeliverRequest asks for an event to be delivered.
type DeliverRequest struct {
	Event
}

// DeliverResponse reports how many sinks will receive it.
type DeliverResponse struct {
	Queued int `json:"queued"`
}

// Deliver accepts an event and fans it out after responding.
func Deliver(ctx context.Context, req DeliverRequest) (DeliverResponse, httpx.Followup, error) {
	sinks, err := endpointsFor(ctx, req.PartnerID)
	if err != nil {
		return DeliverResponse{}, nil, err
	}
	ev := req.Event
	return DeliverResponse{Queued: len(sinks)}, func(ctx context.Context) {
		var wg sync.WaitGroup
		for _, s := range sinks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				attempt(ctx, s, ev)
			}()
		}
		wg.Wait()
		last, _ := json.Marshal(map[string]any{"event": ev.ID, "partner": ev.PartnerID, "at": time.Now().UTC()})
		if err := ns.Write(ctx, "webhooks:last-delivery", last, 0); err != nil { // EXPECT kvhotkey
			log.Printf("last-delivery: %v", err)
		}
	}, nil
}

// Attempt is one delivery try.
type Attempt struct {
	N     int       `json:"n"`
	At    time.Time `json:"at"`
	Error string    `json:"error,omitempty"`
}

func attempt(ctx context.Context, s Sink, ev Event) {
	cfg := config.Load()
	deliveryID := ev.ID + ":" + s.Name()
	if paused(ctx, s.Name()) {
		return
	}
	key := "attempts:" + deliveryID
	n := 0
	if raw, ok, err := ns.Read(ctx, key); err == nil && ok {
		n, _ = strconv.Atoi(string(raw))
	}
	n++
	if err := ns.Write(ctx, key, []byte(strconv.Itoa(n)), cfg.WebhookRetryWindow.Duration); err != nil { // EXPECT kvcounter|kvrace
		log.Printf("attempts %s: %v", deliveryID, err)
	}
	sendErr := s.Send(ctx, ev)
	if err := logAttempt(ctx, deliveryID, n, sendErr); err != nil {
		log.Printf("attempt log %s: %v", deliveryID, err)
	}
	var se *statusError
	if errors.As(sendErr, &se) {
		pause(ctx, s.Name(), se.code)
	}
}

func logAttempt(ctx context.Context, deliveryID string, n int, sendErr error) error {
	cfg := config.Load()
	key := "deliveries:" + deliveryID
	var attempts []Attempt
	res, err := ns.Values.Get(ctx, ns.ID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(ns.AccountID)})
	switch {
	case err == nil:
		derr := json.NewDecoder(res.Body).Decode(&attempts)
		res.Body.Close()
		if derr != nil {
			return derr
		}
	case !edgekv.IsNotFound(err):
		return err
	}
	a := Attempt{N: n, At: time.Now().UTC()}
	if sendErr != nil {
		a.Error = sendErr.Error()
	}
	attempts = append(attempts, a)
	b, err := json.Marshal(attempts)
	if err != nil {
		return err
	}
	_, err = ns.Values.Update(ctx, ns.ID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID:     cloudflare.F(ns.AccountID),
		Value:         cloudflare.F(string(b)),
		ExpirationTTL: cloudflare.F(float64(cfg.WebhookRetryWindow.Duration)), // EXPECT kvttl
	})
	return err
}

func paused(ctx context.Context, endpointID string) bool {
	_, ok, err := ns.Read(ctx, "pause:"+endpointID)
	return err == nil && ok
}

// pause stops deliveries to an endpoint for a while after it failed. A 429
// backs off longer than other failures.
func pause(ctx context.Context, endpointID string, status int) {
	until := time.Now().Add(5 * time.Minute).Unix()
	if status != http.StatusTooManyRequests {
		until = time.Now().Unix() + 30
	}
	_, err := ns.Values.Update(ctx, ns.ID, "pause:"+endpointID, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(ns.AccountID),
		Value:      cloudflare.F(strconv.Itoa(status)),
		Expiration: cloudflare.F(float64(until)), // EXPECT kvttl
	})
	if err != nil {
		log.Printf("pause %s: %v", endpointID, err)
	}
}

// RotateSecretRequest replaces an endpoint's signing secret.
type RotateSecretRequest struct {
	PartnerID  string `json:"partner_id"`
	EndpointID string `json:"endpoint_id"`
	NewSecret  string `json:"new_secret"`
}

// RotateSecret updates the database and drops the cached endpoint list so
// the next delivery signs with the new secret.
func RotateSecret(ctx context.Context, req RotateSecretRequest) (struct{}, error) {
	if len(req.NewSecret) < 32 {
		return struct{}{}, httpx.BadRequest("secret too short")
	}
	if _, err := db.ExecContext(ctx, `UPDATE webhook_endpoints SET secret = $3 WHERE partner_id = $1 AND id = $2`, req.PartnerID, req.EndpointID, req.NewSecret); err != nil {
		return struct{}{}, err
	}
	if err := ns.Remove(ctx, "endpoints:"+req.PartnerID); err != nil { // DEBATABLE kvsession
		return struct{}{}, fmt.Errorf("drop endpoint cache: %w", err)
	}
	return struct{}{}, nil
}
