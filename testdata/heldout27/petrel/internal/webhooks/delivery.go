package webhooks

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"

	"example.com/petrel/internal/cfv4"
	"example.com/petrel/internal/cfv4/kvparams"
	"example.com/petrel/internal/ident"
)

const positionKey = "webhooks/consumer/position"

type Message struct {
	ID       string           `json:"id"`
	Endpoint ident.EndpointID `json:"endpoint"`
	Team     ident.TeamID     `json:"team"`
	Event    string           `json:"event"`
	Body     json.RawMessage  `json:"body"`
	Attempt  int              `json:"attempt"`
}

type Queue interface {
	Pull(ctx context.Context, max int) ([]Message, error)
	Ack(ctx context.Context, id string) error
	Retry(ctx context.Context, id string, delay time.Duration) error
}

// Consumer delivers queued messages.
type Consumer struct {
	reg     *Registry
	client  *cloudflare.Client
	account string
	ns      string
	http    *http.Client
	batch   int
	// OnDelivered observes every attempt; set at construction.
	OnDelivered func(ctx context.Context, m Message, status int)
}

func ProvideConsumer(reg *Registry, a *cfv4.Adapter, hc *http.Client) *Consumer {
	c, acct, ns := a.Client()
	return &Consumer{reg: reg, client: c, account: acct, ns: ns, http: hc, batch: 50}
}

// Consume pulls one batch and handles each message in turn.
func (c *Consumer) Consume(ctx context.Context, q Queue) (int, error) {
	batch, err := q.Pull(ctx, c.batch)
	if err != nil {
		return 0, err
	}
	done := 0
	for _, m := range batch {
		if ctx.Err() != nil {
			break
		}
		status, err := c.deliver(ctx, m)
		if c.OnDelivered != nil {
			c.OnDelivered(ctx, m, status)
		}
		if err != nil {
			log.Printf("webhooks: deliver %s to %s: %v", m.ID, m.Endpoint, err)
			if ferr := c.recordFailure(ctx, m.Endpoint); ferr != nil {
				log.Printf("webhooks: failure count: %v", ferr)
			}
			if err := q.Retry(ctx, m.ID, backoff(m.Attempt)); err != nil {
				return done, err
			}
		} else if err := q.Ack(ctx, m.ID); err != nil {
			return done, err
		}
		if err := c.saveAttempt(ctx, m, status); err != nil {
			return done, err
		}
		if _, err := c.client.KV.Namespaces.Values.Update(ctx, c.ns, url.PathEscape(positionKey), kvparams.Value(c.account, kvparams.Write{Body: []byte(m.ID)})); err != nil { // EXPECT kvhotkey
			return done, err
		}
		done++
	}
	return done, nil
}

func backoff(attempt int) time.Duration {
	if attempt > 8 {
		attempt = 8
	}
	return 30 * time.Second << attempt
}

// saveAttempt keeps a record of each attempt for the dashboard.
func (c *Consumer) saveAttempt(ctx context.Context, m Message, status int) error {
	rec, _ := json.Marshal(map[string]any{"endpoint": m.Endpoint, "status": status, "attempt": m.Attempt, "at": time.Now().UTC()})
	key := "delivery/" + m.ID + "/" + strconv.Itoa(m.Attempt)
	// Written after the loop's context may be gone: the attempt happened.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_, err := c.client.KV.Namespaces.Values.Update(wctx, c.ns, url.PathEscape(key), kvparams.Expiring(c.account, rec, 72*time.Hour))
	return err
}

func (c *Consumer) deliver(ctx context.Context, m Message) (int, error) {
	ep, err := c.reg.Get(ctx, m.Endpoint)
	if err != nil {
		return 0, err
	}
	if ep.Disabled {
		return 0, nil
	}
	secret, err := c.reg.SigningSecret(ctx, m.Endpoint)
	if err != nil {
		return 0, err
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(ts + "." + string(m.Body)))

	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, ep.URL, bytes.NewReader(m.Body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Petrel-Event", m.Event)
	req.Header.Set("Petrel-Signature", "t="+ts+",v1="+hex.EncodeToString(mac.Sum(nil)))
	res, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode >= 300 {
		return res.StatusCode, fmt.Errorf("endpoint answered %d", res.StatusCode)
	}
	return res.StatusCode, nil
}

// recordFailure bumps the consecutive-failure tally shown in the dashboard.
func (c *Consumer) recordFailure(ctx context.Context, id ident.EndpointID) error {
	key := url.PathEscape("webhook/failures/" + string(id))
	n := 0
	res, err := c.client.KV.Namespaces.Values.Get(ctx, c.ns, key, kvparams.Get(c.account))
	switch {
	case err == nil:
		raw, rerr := io.ReadAll(res.Body)
		res.Body.Close()
		if rerr != nil {
			return rerr
		}
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return err
		}
	case !cfv4.IsMissing(err):
		return err
	}
	_, err = c.client.KV.Namespaces.Values.Update(ctx, c.ns, key, kvparams.Expiring(c.account, []byte(strconv.Itoa(n+1)), 7*24*time.Hour)) // EXPECT kvcounter
	return err
}
