package collector

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/postmarkly/kaka/internal/kvstore"
)

// FeedbackConfig configures the kv_feedback_loop exporter, which turns ISP
// complaint reports (ARF) into suppression entries.
type FeedbackConfig struct {
	Namespace string
	// SuppressFor is how long a complainer stays suppressed.
	SuppressFor time.Duration
	// ReviewHold keeps the raw report around for the abuse desk.
	ReviewHold time.Duration
}

func (c *FeedbackConfig) Validate() error {
	if c.Namespace == "" {
		return errors.New("namespace is required")
	}
	if c.SuppressFor <= 0 || c.ReviewHold <= 0 {
		return errors.New("suppress_for and review_hold must be positive")
	}
	return nil
}

// FeedbackFactory builds kv_feedback_loop exporters.
type FeedbackFactory struct{ Host Host }

func (FeedbackFactory) Type() string { return "kv_feedback_loop" }

func (FeedbackFactory) CreateDefaultConfig() Config {
	return &FeedbackConfig{SuppressFor: 90 * 24 * time.Hour, ReviewHold: 14 * 24 * time.Hour}
}

func (f FeedbackFactory) CreateLogsExporter(_ context.Context, cfg Config) (LogsExporter, error) {
	c := cfg.(*FeedbackConfig)
	ns, ok := f.Host.Namespace(c.Namespace)
	if !ok {
		return nil, fmt.Errorf("kv_feedback_loop: namespace %q not configured", c.Namespace)
	}
	return &feedbackExporter{cfg: c, ns: ns}, nil
}

type feedbackExporter struct {
	cfg *FeedbackConfig
	ns  *kvstore.Namespace
}

func (e *feedbackExporter) Start(context.Context, Host) error { return nil }
func (e *feedbackExporter) Shutdown(context.Context) error    { return nil }

func (e *feedbackExporter) ConsumeLogs(ctx context.Context, logs Logs) error {
	var suppress []*cloudflare.WorkersKVPair
	for _, rl := range logs.ResourceLogs {
		isp := rl.Resource["fbl.provider"]
		for _, rec := range rl.Records {
			rcpt := strings.ToLower(rec.Attributes["recipient"])
			if rcpt == "" {
				continue
			}
			suppress = append(suppress, &cloudflare.WorkersKVPair{
				Key:           "suppress:" + rcpt,
				Value:         "complaint:" + isp,
				ExpirationTTL: int(e.cfg.SuppressFor), // EXPECT kvttl
			})

			reportKey := "arf:" + rcpt
			history, err := e.ns.Get(ctx, reportKey)
			if err != nil && !kvstore.IsNotFound(err) {
				return err
			}
			line := fmt.Sprintf("%s\t%s\t%s\n", rec.Timestamp.UTC().Format(time.RFC3339), isp, rec.EventID)
			if _, err := e.ns.API.WriteWorkersKVEntries(ctx, e.ns.Account, cloudflare.WriteWorkersKVEntriesParams{ // EXPECT kvrace
				NamespaceID: e.ns.ID,
				KVs: []*cloudflare.WorkersKVPair{{
					Key:        reportKey,
					Value:      string(history) + line,
					Expiration: int(time.Now().Add(e.cfg.ReviewHold).UnixMilli()), // EXPECT kvttl
				}},
			}); err != nil {
				return err
			}
			if err := e.ns.Put(ctx, "fbl:"+isp+":latest", []byte(rec.EventID)); err != nil { // EXPECT kvhotkey
				return err
			}
		}
	}
	return e.ns.PutMany(ctx, suppress)
}
