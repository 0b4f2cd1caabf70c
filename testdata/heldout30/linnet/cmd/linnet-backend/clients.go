package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"example.com/linnet/internal/booking"
)

// services posts to Linnet's internal mail and payments services.
type services struct {
	client            *http.Client
	mail, paymentsURL string
}

func (s services) post(ctx context.Context, endpoint string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("POST %s: %s", req.URL.Path, resp.Status)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func (s services) SendLoginLink(ctx context.Context, email, link string) error {
	return s.post(ctx, s.mail, map[string]string{"to": email, "template": "login-link", "link": link}, nil)
}

func (s services) SendReminder(ctx context.Context, b booking.Booking) error {
	return s.post(ctx, s.mail, map[string]any{"learner": b.Learner, "template": "lesson-reminder",
		"tutor": b.Tutor, "start": b.Start}, nil)
}

// LearnerByEmail is unsupported: the backend does not send login links.
func (services) LearnerByEmail(context.Context, string) (string, error) {
	return "", errors.New("directory: not available in the backend")
}

func (s services) Reserve(ctx context.Context, learner string, credits int) (string, error) {
	var out struct{ Hold string }
	err := s.post(ctx, s.paymentsURL+"/holds", map[string]any{"learner": learner, "credits": credits}, &out)
	return out.Hold, err
}

func (s services) Capture(ctx context.Context, hold string) error {
	return s.post(ctx, s.paymentsURL+"/holds/"+url.PathEscape(hold)+"/capture", struct{}{}, nil)
}

func (s services) Release(ctx context.Context, hold string) error {
	return s.post(ctx, s.paymentsURL+"/holds/"+url.PathEscape(hold)+"/release", struct{}{}, nil)
}
