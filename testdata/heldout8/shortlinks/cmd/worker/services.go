package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// mailer sends login emails through the transactional mail provider.
type mailer struct {
	client *http.Client
	from   string
	apiKey string
}

func (m *mailer) SendLogin(ctx context.Context, to, link string) error {
	body, _ := json.Marshal(map[string]any{
		"from": m.from, "to": []string{to}, "subject": "Your sign-in link",
		"text": "Sign in to your short links dashboard:\n\n" + link + "\n\nThe link works once.",
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://api.mail.example/v1/send", bytes.NewReader(body))
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
		return fmt.Errorf("mail provider: %s", resp.Status)
	}
	return nil
}

// qrRenderer calls the internal rendering service.
type qrRenderer struct {
	client *http.Client
	base   string
}

func (q *qrRenderer) SVG(target string, size int) (string, error) {
	resp, err := q.client.Get(fmt.Sprintf("%s/render.svg?size=%d&data=%s", q.base, size, url.QueryEscape(target)))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("qr renderer: %s", resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return string(b), err
}
