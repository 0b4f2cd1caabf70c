// Package config holds the runtime settings of the quiz worker. Settings are
// stored in KV under config:current, read at start-up and swapped in place by
// the reload cron, so every call reads them through Holder.Load.
package config

import (
	"encoding/json"
	"fmt"
	"sync/atomic"
	"time"
)

// Config is one immutable snapshot of the settings.
type Config struct {
	Version int
	// Mode selects the key scheme and the expiry policy: "standard",
	// "hashed" or "event".
	Mode string
	// KeyPrefix is put in front of every key the worker writes.
	KeyPrefix string
	// CacheDriver selects the quiz definition cache: "kv", "lru" or "layered".
	CacheDriver string

	SessionTTL      time.Duration
	JoinCodeTTL     time.Duration
	QuizCacheTTL    time.Duration
	ResultsTTL      time.Duration
	ResultsGrace    time.Duration
	AnswerWindow    time.Duration
	LeaderboardSize int

	MaxAnswersPerWindow  int
	ModerationPageBudget int
	OriginURL            string
}

// wire is the JSON stored in KV; lifetimes are whole seconds.
type wire struct {
	Version              int    `json:"version"`
	Mode                 string `json:"mode"`
	KeyPrefix            string `json:"key_prefix"`
	CacheDriver          string `json:"cache_driver"`
	SessionSeconds       int    `json:"session_seconds"`
	JoinCodeSeconds      int    `json:"join_code_seconds"`
	QuizCacheSeconds     int    `json:"quiz_cache_seconds"`
	ResultsSeconds       int    `json:"results_seconds"`
	ResultsGraceSeconds  int    `json:"results_grace_seconds"`
	AnswerWindowSeconds  int    `json:"answer_window_seconds"`
	LeaderboardSize      int    `json:"leaderboard_size"`
	MaxAnswersPerWindow  int    `json:"max_answers_per_window"`
	ModerationPageBudget int    `json:"moderation_page_budget"`
	OriginURL            string `json:"origin_url"`
}

// Default is used until the stored configuration has been read.
func Default() *Config {
	return &Config{
		Mode:                 "standard",
		KeyPrefix:            "",
		CacheDriver:          "layered",
		SessionTTL:           12 * time.Hour,
		JoinCodeTTL:          6 * time.Hour,
		QuizCacheTTL:         5 * time.Minute,
		ResultsTTL:           30 * 24 * time.Hour,
		ResultsGrace:         2 * time.Hour,
		AnswerWindow:         10 * time.Second,
		LeaderboardSize:      20,
		MaxAnswersPerWindow:  3,
		ModerationPageBudget: 5,
		OriginURL:            "https://api.merlin.quiz",
	}
}

// Parse decodes the stored form. Missing fields keep their defaults.
func Parse(raw []byte) (*Config, error) {
	def := Default()
	w := wire{
		Mode:                 def.Mode,
		CacheDriver:          def.CacheDriver,
		SessionSeconds:       int(def.SessionTTL.Seconds()),
		JoinCodeSeconds:      int(def.JoinCodeTTL.Seconds()),
		QuizCacheSeconds:     int(def.QuizCacheTTL.Seconds()),
		ResultsSeconds:       int(def.ResultsTTL.Seconds()),
		ResultsGraceSeconds:  int(def.ResultsGrace.Seconds()),
		AnswerWindowSeconds:  int(def.AnswerWindow.Seconds()),
		LeaderboardSize:      def.LeaderboardSize,
		MaxAnswersPerWindow:  def.MaxAnswersPerWindow,
		ModerationPageBudget: def.ModerationPageBudget,
		OriginURL:            def.OriginURL,
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if w.SessionSeconds <= 0 || w.JoinCodeSeconds <= 0 {
		return nil, fmt.Errorf("config: lifetimes must be positive")
	}
	sec := func(n int) time.Duration { return time.Duration(n) * time.Second }
	return &Config{
		Version:              w.Version,
		Mode:                 w.Mode,
		KeyPrefix:            w.KeyPrefix,
		CacheDriver:          w.CacheDriver,
		SessionTTL:           sec(w.SessionSeconds),
		JoinCodeTTL:          sec(w.JoinCodeSeconds),
		QuizCacheTTL:         sec(w.QuizCacheSeconds),
		ResultsTTL:           sec(w.ResultsSeconds),
		ResultsGrace:         sec(w.ResultsGraceSeconds),
		AnswerWindow:         sec(w.AnswerWindowSeconds),
		LeaderboardSize:      w.LeaderboardSize,
		MaxAnswersPerWindow:  w.MaxAnswersPerWindow,
		ModerationPageBudget: w.ModerationPageBudget,
		OriginURL:            w.OriginURL,
	}, nil
}

// Holder publishes the current snapshot to every service.
type Holder struct {
	p atomic.Pointer[Config]
}

// NewHolder returns a holder that starts with c.
func NewHolder(c *Config) *Holder {
	h := &Holder{}
	h.p.Store(c)
	return h
}

// Load returns the current snapshot. Callers must not modify it.
func (h *Holder) Load() *Config { return h.p.Load() }

// Swap installs c and returns the previous snapshot.
func (h *Holder) Swap(c *Config) *Config { return h.p.Swap(c) }
