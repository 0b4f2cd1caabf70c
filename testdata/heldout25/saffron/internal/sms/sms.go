// Package sms sends text messages through the provider's REST API.
package sms

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Sender is implemented by every provider.
type Sender interface {
	Send(ctx context.Context, phone, body string) error
}

type twilio struct {
	account, token, from string
	client               *http.Client
}

// NewTwilio returns a Sender for the given credentials.
func NewTwilio(account, token, from string) Sender {
	return &twilio{account: account, token: token, from: from, client: &http.Client{Timeout: 10 * time.Second}}
}

func (t *twilio) Send(ctx context.Context, phone, body string) error {
	form := url.Values{"To": {phone}, "From": {t.from}, "Body": {body}}
	endpoint := fmt.Sprintf("https://api.twilio.com/2010-04-01/Accounts/%s/Messages.json", url.PathEscape(t.account))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.SetBasicAuth(t.account, t.token)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := t.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("sms: provider returned %s", res.Status)
	}
	return nil
}

// Discard drops every message; used in development.
type Discard struct{}

func (Discard) Send(context.Context, string, string) error { return nil }
