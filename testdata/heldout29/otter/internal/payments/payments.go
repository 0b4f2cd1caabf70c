// Package payments takes payments against invoices through the payment
// service provider (PSP).
package payments

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"example.com/otter/internal/events"
	"example.com/otter/internal/httpx"
	"example.com/otter/internal/keys"
	"example.com/otter/internal/kvport"
)

type ChargeRequest struct {
	Tenant      string `json:"tenant"`
	InvoiceID   string `json:"invoice_id"`
	CustomerID  string `json:"customer_id"`
	AmountMinor int64  `json:"amount_minor"`
	Currency    string `json:"currency"`
	MethodID    string `json:"method_id"`
}

type ChargeResult struct {
	PaymentID string `json:"payment_id"`
	Status    string `json:"status"`
	Code      string `json:"code,omitempty"`
}

type PSP interface {
	Charge(ctx context.Context, req ChargeRequest, idempotencyKey string) (ChargeResult, error)
}

type Invoices interface {
	MarkPaidByID(ctx context.Context, tenant, invoiceID string) error
}

type Deps struct {
	Idempotency kvport.Store
	Intents     kvport.Store
	Accounts    kvport.Store
	PSP         PSP
	Invoices    Invoices
	Bus         *events.Bus
	IdemTTL     time.Duration
	Log         *slog.Logger
}

// Service handles charges, payment intents and payment accounts.
type Service struct {
	Deps
	now func() time.Time
}

func NewService(d Deps) *Service {
	d.IdemTTL = max(d.IdemTTL, time.Hour)
	return &Service{Deps: d, now: time.Now}
}

// Charge charges a customer. Retries with the same Idempotency-Key get
// the first response back; the PSP also refuses to charge twice for it.
func (s *Service) Charge(ctx context.Context, r httpx.Request[ChargeRequest]) (ChargeResult, error) {
	idemKey := r.HTTP.Header.Get("Idempotency-Key")
	if idemKey == "" {
		return ChargeResult{}, httpx.Errorf(http.StatusBadRequest, "idempotency_key_required", "set the Idempotency-Key header")
	}
	key := keys.Clean(r.Body.Tenant) + ":" + keys.TokenHash(idemKey)
	if raw, err := s.Idempotency.Get(ctx, key); err == nil {
		var prev ChargeResult
		if err := json.Unmarshal(raw, &prev); err == nil {
			return prev, nil
		}
	} else if !kvport.IsNotFound(err) {
		return ChargeResult{}, err
	}
	if _, err := s.account(ctx, r.Body.Tenant, r.Body.CustomerID); err != nil {
		return ChargeResult{}, err
	}
	res, err := s.PSP.Charge(ctx, r.Body, idemKey)
	if err != nil {
		return ChargeResult{}, err
	}
	body, _ := json.Marshal(res)
	if err := s.Idempotency.Put(ctx, key, body, &kvport.PutOpts{TTL: s.IdemTTL}); err != nil {
		s.Log.Warn("store idempotent response", "err", err)
	}
	if res.Status == "succeeded" {
		_ = s.Bus.Publish(ctx, events.PaymentReceived{Tenant: r.Body.Tenant, PaymentID: res.PaymentID,
			InvoiceID: r.Body.InvoiceID, CustomerID: r.Body.CustomerID, AmountMinor: r.Body.AmountMinor, Currency: r.Body.Currency})
	}
	return res, nil
}

type IntentInput struct {
	Tenant       string `json:"tenant"`
	InvoiceID    string `json:"invoice_id"`
	AmountMinor  int64  `json:"amount_minor"`
	Currency     string `json:"currency"`
	ValidMinutes int    `json:"valid_minutes"`
}

// Intent is a prepared payment that the customer completes in the browser.
type Intent struct {
	IntentInput
	ID           string    `json:"id"`
	ClientSecret string    `json:"client_secret"`
	ExpiresAt    time.Time `json:"expires_at"`
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *Service) CreateIntent(ctx context.Context, in IntentInput) (Intent, error) {
	valid := time.Duration(in.ValidMinutes) * time.Minute
	if valid < 5*time.Minute || valid > 24*time.Hour {
		return Intent{}, httpx.Errorf(http.StatusBadRequest, "invalid_validity", "valid_minutes must be between 5 and 1440")
	}
	it := Intent{IntentInput: in, ID: "pi_" + randomHex(10), ClientSecret: randomHex(24), ExpiresAt: s.now().Add(valid)}
	body, _ := json.Marshal(it)
	err := s.Intents.Put(ctx, it.ID, body, &kvport.PutOpts{
		ExpiresAt: it.ExpiresAt.UnixMilli(), // EXPECT kvttl
	})
	return it, err
}

type Account struct {
	CustomerID    string    `json:"customer_id"`
	DefaultMethod string    `json:"default_method"`
	CreatedAt     time.Time `json:"created_at"`
}

// account returns the customer's payment account, opening one on first use.
func (s *Service) account(ctx context.Context, tenant, customer string) (Account, error) {
	key := keys.Clean(tenant) + ":" + keys.Clean(customer)
	raw, err := s.Accounts.Get(ctx, key) // EXPECT kvnull
	if err != nil {
		acct := Account{CustomerID: customer, CreatedAt: s.now()}
		body, _ := json.Marshal(acct)
		return acct, s.Accounts.Put(ctx, key, body, nil)
	}
	var acct Account
	err = json.Unmarshal(raw, &acct)
	return acct, err
}

func (s *Service) OnCaptured(ctx context.Context, data json.RawMessage) error {
	var ev struct{ Tenant, InvoiceID string }
	if err := json.Unmarshal(data, &ev); err != nil || ev.InvoiceID == "" {
		return errors.Join(err, errors.New("captured payment without invoice"))
	}
	if err := s.Invoices.MarkPaidByID(ctx, ev.Tenant, ev.InvoiceID); err != nil {
		return fmt.Errorf("mark paid %s: %w", ev.InvoiceID, err)
	}
	return nil
}

func (s *Service) Routes(mux *http.ServeMux, auth httpx.Middleware) {
	mux.Handle("POST /v1/charges", auth(httpx.JSONReq(s.Charge)))
	mux.Handle("POST /v1/intents", auth(httpx.JSON(s.CreateIntent)))
}
