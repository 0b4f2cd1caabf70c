package kvhotkey

import (
	"context"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"kvlint.test/cfv0119/kvhotkey/broker"
)

// fleet ingests its devices' telemetry from a broker, and a bot's
// updates from a channel of them.
type fleet struct {
	api  *cloudflare.API
	rc   *cloudflare.ResourceContainer
	ns   string
	conn *broker.Conn
}

func (f *fleet) put(ctx context.Context, key string, value []byte) error {
	_, err := f.api.WriteWorkersKVEntry(ctx, f.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: f.ns, Key: key, Value: value})
	return err
}

func (f *fleet) get(ctx context.Context, key string) ([]byte, error) {
	return f.api.GetWorkersKV(ctx, f.rc, cloudflare.GetWorkersKVParams{NamespaceID: f.ns, Key: key})
}

// OnTelemetry has the broker's handler type, and the program that wires
// the service subscribes it: it runs on every device's every message.
func (f *fleet) OnTelemetry(_ broker.Client, m broker.Message) { // want OnTelemetry:"kvhotkey"
	ctx := context.Background()
	_ = f.put(ctx, "telemetry:"+m.Topic(), m.Payload())
	_ = f.put(ctx, "ingest:last-message", []byte(time.Now().UTC().Format(time.RFC3339Nano))) // want `this handler writes the same KV key on every request`
}

// A handler subscribed here, as a function literal.
func (f *fleet) subscribe() { // want subscribe:"kvhotkey"
	f.conn.Subscribe("devices/+/status", func(_ broker.Client, m broker.Message) {
		_ = f.put(context.Background(), "status:latest", m.Payload()) // want `this handler writes the same KV key on every request`
	})
	// Quiet: a job the broker runs once a minute, with no message.
	f.conn.Every(time.Minute, func() {
		_ = f.put(context.Background(), "sweep:last-run", []byte(time.Now().UTC().Format(time.RFC3339)))
	})
}

// Quiet: a helper handed a message, neither of the broker's handler type
// nor handed to the broker.
func (f *fleet) replay(ctx context.Context, m broker.Message, attempt int) {
	_ = f.put(ctx, "replay:last-message", m.Payload())
}

// The bot's updates, one an iteration: the offset written on each is the
// loop's own write; the ticket number that handling an update takes is
// not the loop's (it is a counter's, of another analyzer, and a handler
// writes it once an update).
func (f *fleet) poll(ctx context.Context) { // want poll:"kvhotkey"
	offset := 0
	if raw, err := f.get(ctx, "bot:offset"); err == nil {
		offset, _ = strconv.Atoi(string(raw))
	}
	for u := range f.conn.Updates(offset) {
		f.handle(ctx, u)
		_ = f.put(ctx, "bot:offset", []byte(strconv.Itoa(u.ID+1))) // want `this loop writes the same KV key on every iteration`
	}
}

func (f *fleet) handle(ctx context.Context, u broker.Update) {
	n := 0
	if raw, err := f.get(ctx, "seq:ticket"); err == nil {
		n, _ = strconv.Atoi(string(raw))
	}
	_ = f.put(ctx, "seq:ticket", []byte(strconv.Itoa(n+1)))
	_ = f.put(ctx, "ticket:"+strconv.Itoa(n+1), []byte(u.Text))
}

// Quiet: a command-line tool's command, run once an invocation by an
// operator, whose action has the shape of the library's ActionFunc.
func (f *fleet) commands() []broker.Command {
	return []broker.Command{{
		Name: "publish",
		Action: func(c *broker.Context) error {
			return f.put(context.Background(), "report:latest", []byte(time.Now().UTC().Format(time.RFC3339)))
		},
	}}
}

// Quiet: the same with a declared method as the action, which has the
// shape of the library's ActionFunc and is kept in the command's field.
func (f *fleet) reportCommand() broker.Command {
	return broker.Command{Name: "report", Action: f.report}
}

func (f *fleet) report(c *broker.Context) error {
	return f.put(context.Background(), "report:last-sent", []byte(time.Now().UTC().Format(time.RFC3339)))
}
