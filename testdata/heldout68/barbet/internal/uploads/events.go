package uploads

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/tus/tusd/v2/pkg/handler"
)

// State is the short-lived progress record the dashboard polls while bytes
// are still arriving.
type State struct {
	Stage     string    `json:"stage"`
	Size      int64     `json:"size"`
	CreatedAt time.Time `json:"created_at"`
}

// Job is what the transcoder picks up.
type Job struct {
	UploadID string   `json:"upload_id"`
	Account  string   `json:"account"`
	Source   string   `json:"source"`
	Ladder   []string `json:"ladder"`
}

// Consume follows tusd's CreatedUploads and CompleteUploads channels until ctx
// is done. tusd blocks on these channels, so each has its own goroutine.
func (h *Hooks) Consume(ctx context.Context, created, completed <-chan handler.HookEvent) {
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-created:
				st := State{Stage: "receiving", Size: ev.Upload.Size, CreatedAt: time.Now().UTC()}
				if err := h.Tickets.PutJSON(ctx, "upload/"+ev.Upload.ID+"/state", st, 24*time.Hour); err != nil {
					h.Log.Warn("state not recorded", "upload", ev.Upload.ID, "err", err)
				}
				if err := h.Tickets.Put(ctx, "uploads/latest", []byte(ev.Upload.ID), 0); err != nil { // EXPECT kvhotkey
					h.Log.Warn("latest pointer not moved", "err", err)
				}
			}
		}
	}()

	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-completed:
				h.onComplete(ctx, ev)
			}
		}
	}()

	go h.flushUsage(ctx, time.Minute)
}

func (h *Hooks) onComplete(ctx context.Context, ev handler.HookEvent) {
	up := ev.Upload
	account := up.MetaData["account"]
	job := Job{
		UploadID: up.ID,
		Account:  account,
		Source:   up.Storage["Path"],
		Ladder:   ladderFor(up.Size, up.MetaData["filetype"]),
	}
	if err := h.Tickets.PutJSON(ctx, "transcode/job/"+up.ID, job, 6*time.Hour); err != nil {
		h.Log.Error("job not queued", "upload", up.ID, "err", err)
		return
	}
	if err := h.Tickets.PutJSON(ctx, "upload/"+up.ID+"/state", State{Stage: "queued", Size: up.Size, CreatedAt: time.Now().UTC()}, 24*time.Hour); err != nil {
		h.Log.Warn("state not recorded", "upload", up.ID, "err", err)
	}

	h.mu.Lock()
	if h.pending == nil {
		h.pending = map[string]int64{}
	}
	h.pending[account] += up.Size
	h.mu.Unlock()
}

// flushUsage writes the bytes stored per account today once per tick, so the
// billing export does not have to scan upload records.
func (h *Hooks) flushUsage(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			day := now.UTC().Format("2006-01-02")
			h.mu.Lock()
			if day != h.day || h.totals == nil {
				h.day, h.totals = day, map[string]int64{}
			}
			batch := h.pending
			h.pending = map[string]int64{}
			for acct, n := range batch {
				h.totals[acct] += n
			}
			snapshot := make(map[string]int64, len(batch))
			for acct := range batch {
				snapshot[acct] = h.totals[acct]
			}
			h.mu.Unlock()

			for acct, total := range snapshot {
				key := fmt.Sprintf("usage/%s/%s", acct, day)
				if err := h.Accounts.Put(ctx, key, []byte(strconv.FormatInt(total, 10)), 40*24*time.Hour); err != nil { // EXPECT kvcounter
					h.Log.Warn("usage not flushed", "account", acct, "err", err)
				}
			}
			digest := make([]string, 0, len(snapshot))
			for acct := range snapshot {
				digest = append(digest, acct)
			}
			if len(digest) > 0 {
				key := "usage/active/" + now.UTC().Format("2006-01-02T15:04")
				if err := h.Accounts.PutJSON(ctx, key, digest, 48*time.Hour); err != nil {
					h.Log.Warn("active digest not written", "err", err)
				}
			}
		}
	}
}

func ladderFor(size int64, filetype string) []string {
	switch {
	case filetype == "video/quicktime" && size > 4<<30:
		return []string{"2160p", "1080p", "720p", "480p"}
	case size > 1<<30:
		return []string{"1080p", "720p", "480p"}
	default:
		return []string{"720p", "480p"}
	}
}
