// Package collector holds exporters in the style of the OpenTelemetry
// Collector: each exporter has a factory with a default config, the config
// validates itself, and the pipeline hands the exporter one batch of log
// records at a time through ConsumeLogs.
package collector

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/postmarkly/kaka/internal/kvstore"
)

// LogRecord is one delivery event (bounce, complaint, delivery, open).
type LogRecord struct {
	Timestamp  time.Time
	EventID    string
	Body       string
	Attributes map[string]string
}

// ResourceLogs groups records emitted by one MTA node.
type ResourceLogs struct {
	Resource map[string]string
	Records  []LogRecord
}

// Logs is the unit handed to ConsumeLogs.
type Logs struct {
	ResourceLogs []ResourceLogs
}

// RecordCount returns the number of records in the batch.
func (l Logs) RecordCount() int {
	n := 0
	for _, rl := range l.ResourceLogs {
		n += len(rl.Records)
	}
	return n
}

// Config is implemented by every exporter's config struct.
type Config interface {
	Validate() error
}

// LogsExporter receives batches of logs.
type LogsExporter interface {
	Start(ctx context.Context, host Host) error
	ConsumeLogs(ctx context.Context, logs Logs) error
	Shutdown(ctx context.Context) error
}

// Host gives exporters access to shared KV namespaces.
type Host interface {
	Namespace(name string) (*kvstore.Namespace, bool)
}

// Factory creates an exporter of one type.
type Factory interface {
	Type() string
	CreateDefaultConfig() Config
	CreateLogsExporter(ctx context.Context, cfg Config) (LogsExporter, error)
}

// Factories indexes factories by type name.
type Factories map[string]Factory

// MakeFactories builds the index, rejecting duplicates.
func MakeFactories(fs ...Factory) (Factories, error) {
	out := Factories{}
	var errs []error
	for _, f := range fs {
		if _, dup := out[f.Type()]; dup {
			errs = append(errs, fmt.Errorf("duplicate exporter type %q", f.Type()))
			continue
		}
		out[f.Type()] = f
	}
	return out, errors.Join(errs...)
}

// Build validates cfg and creates the exporter.
func (fs Factories) Build(ctx context.Context, typ string, configure func(Config)) (LogsExporter, error) {
	f, ok := fs[typ]
	if !ok {
		return nil, fmt.Errorf("unknown exporter type %q", typ)
	}
	cfg := f.CreateDefaultConfig()
	if configure != nil {
		configure(cfg)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("exporter %s: invalid config: %w", typ, err)
	}
	return f.CreateLogsExporter(ctx, cfg)
}
