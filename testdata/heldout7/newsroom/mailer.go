package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// espMailer talks to the email service provider's JSON API.
type espMailer struct {
	client *http.Client
	apiURL string
	apiKey string
	from   string
}

type espMessage struct {
	From    string   `json:"from"`
	To      []string `json:"to"`
	Subject string   `json:"subject"`
	HTML    string   `json:"html,omitempty"`
	Text    string   `json:"text,omitempty"`
}

func (m *espMailer) post(ctx context.Context, msg espMessage) error {
	body, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.apiURL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+m.apiKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := m.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("esp: %s", resp.Status)
	}
	return nil
}

// Send implements magiclink.Mailer.
func (m *espMailer) Send(ctx context.Context, to, subject, body string) error {
	return m.post(ctx, espMessage{From: m.from, To: []string{to}, Subject: subject, Text: body})
}

// SendOne implements newsletter.ESP.
func (m *espMailer) SendOne(ctx context.Context, to, subject, body string) error {
	return m.Send(ctx, to, subject, body)
}

// SendBatch implements newsletter.ESP.
func (m *espMailer) SendBatch(ctx context.Context, to []string, subject, html string) error {
	return m.post(ctx, espMessage{From: m.from, To: to, Subject: subject, HTML: html})
}
