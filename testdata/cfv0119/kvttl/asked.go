package kvttl

import (
	"context"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/libs/chat"
	"example.com/libs/cli"

	"kvlint.test/cfv0119/kvttl/jobs"
)

// snoozes keeps reminders quiet for as long as the member asks.
type snoozes struct {
	api      *cloudflare.API
	rc       *cloudflare.ResourceContainer
	ns       string
	settings *chat.Settings
	holdText string
}

func (s *snoozes) putFor(ctx context.Context, key string, ttl time.Duration) error {
	p := cloudflare.WriteWorkersKVEntriesParams{NamespaceID: s.ns, KVs: []*cloudflare.WorkersKVPair{{Key: key, Value: "1", ExpirationTTL: int(ttl.Seconds())}}}
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, p)
	return err
}

// "/snooze 2h": the member's words, checked to be positive and capped,
// with nothing under them.
func (s *snoozes) snooze(ctx context.Context, cmd chat.Command) error {
	fields := strings.Fields(cmd.Text)
	if len(fields) != 1 {
		return nil
	}
	d, err := time.ParseDuration(fields[0])
	if err != nil || d <= 0 {
		return err
	}
	if d > 14*24*time.Hour {
		d = 14 * 24 * time.Hour
	}
	return s.putFor(ctx, "snooze:"+cmd.Guild+":"+cmd.User, d) // want `is what the sender of the request asks for`
}

// A cooldown in seconds from the command's option, 120 when not given.
func (s *snoozes) cooldown(ctx context.Context, cmd *chat.Command) error {
	seconds := int64(120)
	if o := cmd.Option("seconds"); o != nil {
		seconds = o.IntValue()
	}
	return s.putFor(ctx, "cd:"+cmd.Guild, time.Duration(seconds)*time.Second) // want `is what the sender of the request asks for`
}

// The query's seconds, read into the REST API's whole seconds.
func (s *snoozes) mute(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.URL.Query().Get("seconds"))
	if err != nil {
		http.Error(w, "seconds", http.StatusBadRequest)
		return
	}
	p := cloudflare.WriteWorkersKVEntriesParams{NamespaceID: s.ns, KVs: []*cloudflare.WorkersKVPair{{Key: "mute:" + r.PathValue("room"), Value: "1",
		ExpirationTTL: n}}} // want `ExpirationTTL is what the sender of the request asks for`
	_, _ = s.api.WriteWorkersKVEntries(r.Context(), s.rc, p)
}

// Quiet: a floor of a minute under what the member asks for.
func (s *snoozes) snoozeFloored(ctx context.Context, cmd chat.Command) error {
	d, err := time.ParseDuration(cmd.Text)
	if err != nil {
		return err
	}
	if d < time.Minute {
		d = time.Minute
	}
	return s.putFor(ctx, "snooze:"+cmd.Guild+":"+cmd.User, d)
}

// Quiet: shorter ones refused.
func (s *snoozes) snoozeChecked(ctx context.Context, cmd chat.Command) error {
	d, err := time.ParseDuration(cmd.Text)
	if err != nil || d < time.Minute {
		return err
	}
	return s.putFor(ctx, "snooze:"+cmd.Guild+":"+cmd.User, d)
}

// Quiet: clamped.
func (s *snoozes) cooldownClamped(ctx context.Context, cmd *chat.Command) error {
	seconds := cmd.Option("seconds").IntValue()
	return s.putFor(ctx, "cd:"+cmd.Guild, max(time.Duration(seconds)*time.Second, time.Minute))
}

// Quiet: whole days; no positive number of them is short.
func (s *snoozes) warn(ctx context.Context, cmd *chat.Command) error {
	days := cmd.Option("days").IntValue()
	if days <= 0 {
		days = 30
	}
	return s.putFor(ctx, "warn:"+cmd.Guild+":"+cmd.User, time.Duration(days)*24*time.Hour)
}

// Quiet: an operator's settings, from the environment, the receiver's
// configuration and a setting read from the bot's configuration.
func (s *snoozes) hold(ctx context.Context, cmd chat.Command) error {
	d, err := time.ParseDuration(os.Getenv("HOLD"))
	if err != nil {
		return err
	}
	return s.putFor(ctx, "hold:"+cmd.Guild, d)
}

func (s *snoozes) holdConfigured(ctx context.Context, cmd chat.Command) error {
	d, err := time.ParseDuration(s.holdText)
	if err != nil {
		return err
	}
	return s.putFor(ctx, "hold:"+cmd.Guild, d)
}

func (s *snoozes) holdSetting(ctx context.Context, cmd chat.Command) error {
	return s.putFor(ctx, "hold:"+cmd.Guild, time.Duration(s.settings.Int("hold"))*time.Second)
}

// Quiet: a command-line tool's command, kept in the command's field and
// run by an operator, who types the lifetime in the shell.
func (s *snoozes) commands() []*cli.Command {
	return []*cli.Command{{Use: "snooze", RunE: s.snoozeFromShell}}
}

func (s *snoozes) snoozeFromShell(cmd *cli.Command, args []string) error {
	d, err := time.ParseDuration(args[1])
	if err != nil {
		return err
	}
	return s.putFor(context.Background(), "snooze:"+args[0], d)
}

// Quiet: a record of the program's own module, which its code built; no
// library received it from a sender.
func (s *snoozes) replay(ctx context.Context, job jobs.Snooze) error {
	d, err := time.ParseDuration(job.For)
	if err != nil {
		return err
	}
	return s.putFor(ctx, "snooze:"+job.Guild+":"+job.User, d)
}
