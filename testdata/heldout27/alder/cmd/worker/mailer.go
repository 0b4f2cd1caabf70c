//go:build js && wasm

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"example.com/alder/internal/domain"
)

// mailer posts messages to the transactional mail provider's HTTP API.
type mailer struct {
	endpoint string
	token    string
}

type mailRequest struct {
	To      string `json:"to"`
	From    string `json:"from"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
}

func (m *mailer) post(ctx context.Context, req mailRequest) error {
	if m.endpoint == "" {
		return fmt.Errorf("mailer: MAIL_API_URL is not set")
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(req); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, m.endpoint, &buf)
	if err != nil {
		return err
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Authorization", "Bearer "+m.token)
	res, err := http.DefaultClient.Do(hr)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("mailer: provider answered %s", res.Status)
	}
	return nil
}

// Send implements httpapi.Mailer.
func (m *mailer) Send(ctx context.Context, to domain.Email, subject, body string) error {
	return m.post(ctx, mailRequest{To: string(to), From: "hello@alder.example", Subject: subject, Text: body})
}

// Notify implements jobs.Notifier by mailing the site's reception desk.
func (m *mailer) Notify(ctx context.Context, site domain.SiteID, subject, body string) error {
	to := "reception+" + string(site.Normalize()) + "@alder.example"
	return m.post(ctx, mailRequest{To: to, From: "digest@alder.example", Subject: subject, Text: body})
}
