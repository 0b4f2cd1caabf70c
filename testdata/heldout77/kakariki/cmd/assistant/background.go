package main

import (
	"context"
	"encoding/json"
	"log"
	"strings"
	"time"

	"github.com/kakariki-ai/kakariki/internal/llm"
	"github.com/kakariki-ai/kakariki/internal/quota"
	"github.com/kakariki-ai/kakariki/internal/tools"
)

const (
	dueScanPages = 10
	modelsKey    = "models:catalog"
)

// ModelInfo is one entry of the model picker.
type ModelInfo struct {
	ID          string `json:"id"`
	ContextSize int    `json:"context_size"`
	Healthy     bool   `json:"healthy"`
}

func (s *server) background(ctx context.Context, tally *quota.Tally, model llm.Client) {
	minute := time.NewTicker(time.Minute)
	defer minute.Stop()
	hourly := time.NewTicker(time.Hour)
	defer hourly.Stop()
	s.syncModels(ctx, model)
	for {
		select {
		case <-ctx.Done():
			return
		case <-minute.C:
			if err := tally.Flush(ctx); err != nil {
				log.Printf("tally flush: %v", err)
			}
			s.deliverReminders(ctx)
		case <-hourly.C:
			s.syncModels(ctx, model)
		}
	}
}

// deliverReminders sends reminders that are due. Due times come from the key
// metadata, so only due reminders are read.
func (s *server) deliverReminders(ctx context.Context) {
	now := time.Now()
	cursor := ""
	for page := 0; page < dueScanPages; page++ {
		p, err := s.kv.List(ctx, "rem:", cursor, 1000)
		if err != nil {
			log.Printf("reminders: %v", err)
			return
		}
		for _, k := range p.Keys {
			meta, _ := k.Metadata.(map[string]any)
			due, _ := meta["d"].(float64)
			if due == 0 || time.Unix(int64(due), 0).After(now) {
				continue
			}
			var rem tools.Reminder
			if err := s.kv.GetJSON(ctx, k.Name, &rem); err != nil || rem.Sent { // DEBATABLE kvlist
				continue
			}
			log.Printf("reminder for %s: %s", rem.UserID, rem.Text)
			if err := s.kv.Delete(ctx, k.Name); err != nil {
				log.Printf("reminders: delete %s: %v", k.Name, err)
			}
			_ = s.kv.Put(ctx, "reminders:last-run", []byte(now.Format(time.RFC3339)), 0) // EXPECT kvhotkey
		}
		if p.Cursor == "" {
			return
		}
		cursor = p.Cursor
	}
}

// syncModels probes each configured model and publishes the picker list.
func (s *server) syncModels(ctx context.Context, model llm.Client) {
	ids := strings.Split(envOr("MODELS", "kakariki-large-2,kakariki-small-2"), ",")
	catalog := make([]ModelInfo, 0, len(ids))
	for _, id := range ids {
		probe, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := model.Complete(probe, llm.Request{Model: id, Messages: []llm.Message{{Role: llm.RoleUser, Content: "ping"}}, MaxTokens: 1})
		cancel()
		catalog = append(catalog, ModelInfo{ID: id, ContextSize: 128_000, Healthy: err == nil})
		raw, _ := json.Marshal(catalog)
		if err := s.kv.Put(ctx, modelsKey, raw, 0); err != nil { // EXPECT kvhotkey
			log.Printf("models: %v", err)
		}
	}
}
