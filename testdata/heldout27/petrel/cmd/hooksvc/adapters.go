package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"example.com/petrel/internal/webhooks"
)

// accessSSO trusts the identity headers set by the access proxy.
type accessSSO struct{}

func (accessSSO) Verify(r *http.Request) (string, string, error) {
	user, team := r.Header.Get("Cf-Access-Authenticated-User-Email"), r.Header.Get("X-Petrel-Team")
	if user == "" || team == "" || strings.ContainsAny(team, "/.") {
		return "", "", errors.New("missing access identity")
	}
	return user, team, nil
}

// pullQueue consumes a queue over its HTTP pull API; message ids double
// as lease ids.
type pullQueue struct {
	url, token string
	hc         *http.Client
}

func newPullQueue(url, token string) *pullQueue {
	return &pullQueue{url: strings.TrimRight(url, "/"), token: token, hc: &http.Client{Timeout: 20 * time.Second}}
}

func (q *pullQueue) post(ctx context.Context, path string, in, out any) error {
	body, _ := json.Marshal(in)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, q.url+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+q.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := q.hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("queue %s: %s", path, res.Status)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(res.Body).Decode(out)
}

func (q *pullQueue) Pull(ctx context.Context, max int) ([]webhooks.Message, error) {
	var p struct {
		Result struct {
			Messages []webhooks.Message `json:"messages"`
		} `json:"result"`
	}
	err := q.post(ctx, "/messages/pull", map[string]any{"batch_size": max, "visibility_timeout_ms": 60_000}, &p)
	return p.Result.Messages, err
}

func (q *pullQueue) Ack(ctx context.Context, id string) error {
	return q.post(ctx, "/messages/ack", map[string]any{"acks": []map[string]string{{"lease_id": id}}}, nil)
}

func (q *pullQueue) Retry(ctx context.Context, id string, delay time.Duration) error {
	retry := map[string]any{"lease_id": id, "delay_seconds": int(delay.Seconds())}
	return q.post(ctx, "/messages/ack", map[string]any{"retries": []map[string]any{retry}}, nil)
}
