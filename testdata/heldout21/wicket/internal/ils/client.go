// Package ils is the HTTP client for the integrated library system and the
// council mail relay.
package ils

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"example.com/wicket/internal/domain/catalog"
	"example.com/wicket/internal/domain/patron"
	"example.com/wicket/internal/notices"
)

// Client calls the ILS REST API.
type Client struct {
	HTTP  *http.Client
	Base  string
	Token string
}

func call[T any](ctx context.Context, c Client, method, path string, in any) (T, error) {
	var out T
	var body io.Reader = http.NoBody
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return out, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, body)
	if err != nil {
		return out, err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Content-Type", "application/json")
	res, err := c.HTTP.Do(req)
	if err != nil {
		return out, err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		return out, fmt.Errorf("ils: %s %s: %s", method, path, res.Status)
	}
	if res.StatusCode == http.StatusNoContent {
		return out, nil
	}
	return out, json.NewDecoder(res.Body).Decode(&out)
}

func (c Client) Checkout(ctx context.Context, p patron.ID, cp catalog.CopyID) (catalog.Loan, error) {
	return call[catalog.Loan](ctx, c, http.MethodPost, "/circulation/checkouts", map[string]string{"patron": string(p), "copy": string(cp)})
}

func (c Client) Checkin(ctx context.Context, cp catalog.CopyID) error {
	_, err := call[struct{}](ctx, c, http.MethodPost, "/circulation/checkins", map[string]string{"copy": string(cp)})
	return err
}

func (c Client) Title(ctx context.Context, isbn catalog.ISBN) (catalog.Title, error) {
	return call[catalog.Title](ctx, c, http.MethodGet, "/bib/titles/"+url.PathEscape(string(isbn)), nil)
}

func (c Client) ActiveLoans(ctx context.Context, p patron.ID) ([]catalog.Loan, error) {
	return call[[]catalog.Loan](ctx, c, http.MethodGet, "/patrons/"+url.PathEscape(string(p))+"/loans", nil)
}

func (c Client) Patron(ctx context.Context, p patron.ID) (patron.Patron, error) {
	return call[patron.Patron](ctx, c, http.MethodGet, "/patrons/"+url.PathEscape(string(p)), nil)
}

func (c Client) ByCard(ctx context.Context, card patron.CardNumber) (patron.Patron, error) {
	return call[patron.Patron](ctx, c, http.MethodGet, "/patrons/by-card/"+string(card), nil)
}

func (c Client) VerifyPIN(ctx context.Context, card patron.CardNumber, pin patron.PIN) (patron.Patron, error) {
	return call[patron.Patron](ctx, c, http.MethodPost, "/patrons/verify", map[string]string{"card": string(card), "pin": string(pin)})
}

func (c Client) SetPIN(ctx context.Context, card patron.CardNumber, pin patron.PIN) error {
	_, err := call[struct{}](ctx, c, http.MethodPut, "/patrons/by-card/"+string(card)+"/pin", map[string]string{"pin": string(pin)})
	return err
}

// Tier looks up a patron's tier for booking quotas.
func (c Client) Tier(ctx context.Context, p patron.ID) (patron.Tier, error) {
	who, err := c.Patron(ctx, p)
	return who.Tier, err
}

// Relay sends email through the council relay.
type Relay struct{ Client }

func (r Relay) SendResetCode(ctx context.Context, to patron.Email, code string) error {
	_, err := call[struct{}](ctx, r.Client, http.MethodPost, "/mail/pin-reset", map[string]string{"to": string(to), "code": code})
	return err
}

func (r Relay) Send(ctx context.Context, n notices.Notice) error {
	_, err := call[struct{}](ctx, r.Client, http.MethodPost, "/mail/overdue", map[string]any{
		"id": n.ID(), "patron": n.Patron, "copy": n.Copy, "subject": n.Subject(), "daysLate": n.DaysLate, "due": n.DueAt,
	})
	return err
}
