package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/boxoffice/oystercatcher/internal/jobs"
	"github.com/boxoffice/oystercatcher/internal/kvstore"
)

// pspWebhook receives refund and dispute notifications from the payment
// service provider.
type pspWebhook struct {
	kv     *kvstore.Store
	river  *river.Client[*sql.Tx]
	secret []byte
}

type pspEvent struct {
	ID        string   `json:"id"`
	Type      string   `json:"type"`
	OrderID   string   `json:"order_id"`
	TicketIDs []string `json:"ticket_ids"`
	Reason    string   `json:"reason"`
}

func (h *pspWebhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	mac := hmac.New(sha256.New, h.secret)
	mac.Write(body)
	if !hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(r.Header.Get("X-PSP-Signature"))) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var ev pspEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, "bad payload", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	if strings.HasPrefix(ev.Type, "refund.") {
		_, err := h.river.Insert(ctx, jobs.RefundArgs{OrderID: ev.OrderID, TicketIDs: ev.TicketIDs, Reason: ev.Reason}, &river.InsertOpts{
			UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: time.Hour},
		})
		if err != nil {
			slog.ErrorContext(ctx, "enqueue refund", "order", ev.OrderID, "err", err)
			http.Error(w, "retry later", http.StatusServiceUnavailable)
			return
		}
	}
	if err := h.kv.Put(ctx, "psp:event:"+ev.ID, body, 30*24*time.Hour); err != nil {
		slog.WarnContext(ctx, "archive psp event", "id", ev.ID, "err", err)
	}
	stamp := []byte(time.Now().UTC().Format(time.RFC3339Nano))
	if err := h.kv.Put(ctx, "psp:last_webhook", stamp, 0); err != nil { // EXPECT kvhotkey
		slog.WarnContext(ctx, "record webhook time", "err", err)
	}
	w.WriteHeader(http.StatusNoContent)
}

// psp is the refund side of the payment provider's API.
type psp struct{ client *http.Client }

func (p *psp) Refund(ctx context.Context, orderID string, ticketIDs []string) error {
	body := fmt.Sprintf(`{"order_id":%q,"tickets":%d}`, orderID, len(ticketIDs))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://psp.internal/v2/refunds", strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := p.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("psp refund %s: %s", orderID, res.Status)
	}
	return nil
}

// renderReceipt asks the document service for the order's PDF receipt.
func renderReceipt(ctx context.Context, orderID string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://documents.internal/receipts/"+orderID+".pdf", nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("render receipt %s: %s", orderID, res.Status)
	}
	return io.ReadAll(res.Body)
}

// sendLoginMail hands the magic link to the transactional mail service.
func sendLoginMail(ctx context.Context, email, code string) error {
	body, _ := json.Marshal(map[string]string{"template": "organiser-login", "to": email, "code": code})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://mail.internal/v1/send", strings.NewReader(string(body)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	return nil
}
