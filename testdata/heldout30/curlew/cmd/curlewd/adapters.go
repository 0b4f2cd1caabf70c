package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"example.com/curlew/internal/courier"
	"example.com/curlew/internal/jobs"
	"example.com/curlew/internal/kv"
)

// queueScheduler runs jobs on the queue after a delay.
type queueScheduler struct{ q *jobs.Queue }

func (s queueScheduler) After(d time.Duration, name string, job func(context.Context) error) {
	time.AfterFunc(d, func() { s.q.Push(name, job) })
}

// directory resolves courier phone numbers from the roster the HR system
// exports into KV.
type directory struct{ store kv.Store }

func (d directory) CourierByPhone(ctx context.Context, phone string) (string, bool, error) {
	raw, err := d.store.Get(ctx, "roster:phone:"+strings.TrimPrefix(phone, "+"))
	if kv.IsNotFound(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return string(raw), true, nil
}

// smsSender sends login links through the SMS provider's HTTP API.
func smsSender(url string, client *http.Client) courier.Sender {
	return func(ctx context.Context, phone, link string) error {
		body, _ := json.Marshal(map[string]string{"to": phone, "text": "Your curlew login link: " + link})
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			return fmt.Errorf("sms gateway: status %d", resp.StatusCode)
		}
		return nil
	}
}

// sweepJob removes scratch uploads that the app abandoned. It reads a few
// pages per run and continues from the stored cursor next time.
type sweepJob struct {
	store    kv.Store
	prefix   string
	pageSize int
	maxPages int
	cursor   string
}

func (j *sweepJob) run(ctx context.Context) error {
	for range j.maxPages {
		page, err := j.store.List(ctx, kv.ListParams{Prefix: j.prefix, Cursor: j.cursor, Limit: j.pageSize})
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			var meta struct {
				Abandoned bool `json:"abandoned"`
			}
			if json.Unmarshal(k.Metadata, &meta) == nil && meta.Abandoned {
				if err := j.store.Delete(ctx, k.Name); err != nil {
					return err
				}
			}
		}
		if page.Complete {
			j.cursor = ""
			return nil
		}
		j.cursor = page.Cursor
	}
	return nil
}
