//go:build js && wasm

package portal

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"
)

// Mailer sends transactional mail through the mail provider's HTTP API.
type Mailer struct {
	client *fetch.Client
}

// NewMailer returns a mailer on the Worker's global fetch.
func NewMailer() *Mailer { return &Mailer{client: fetch.NewClient()} }

// Send delivers a plain-text message.
func (m *Mailer) Send(ctx context.Context, to, subject, body string) error {
	payload, _ := json.Marshal(map[string]string{
		"from": "Speaker Portal <speakers@puffin.events>", "to": to, "subject": subject, "text": body,
	})
	req, err := fetch.NewRequest(ctx, "POST", cloudflare.Getenv("MAIL_ENDPOINT"), bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+cloudflare.Getenv("MAIL_API_KEY"))
	req.Header.Set("Content-Type", "application/json")
	resp, err := m.client.Do(req, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("mail: provider answered %s", resp.Status)
	}
	return nil
}

// randomToken returns n random bytes, URL-safe encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// randomCode returns a six-digit one-time code.
func randomCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%06d", n.Int64())
}
