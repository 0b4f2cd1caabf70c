//go:build js && wasm

// Package edge is the Cloudflare Worker that receives Telegram's webhook.
// It answers cheap things at the edge (duplicates, flood control, office
// hours) and queues the rest in D1 for the bot process.
package edge

import (
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/d1"
	"github.com/syumai/workers/cloudflare/kv"
)

const (
	kvBinding   = "DESK_KV"
	d1Binding   = "DESK_DB"
	floodLimit  = 20 // messages per chat per minute
	maxBodySize = 1 << 20
)

// chatCfgTTL is how long the edge keeps a chat's settings.
const chatCfgTTL = 10 * time.Minute

// Handler is the Worker's fetch handler.
type Handler struct {
	secret string
}

// NewHandler returns the fetch handler. The environment is only available
// inside a request, so the secret is read on first use.
func NewHandler() *Handler { return &Handler{} }

// present reports whether a GetString result is a stored value.
func present(v string) bool { return v != "<null>" && v != "" }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/telegram/") {
		http.NotFound(w, r)
		return
	}
	if h.secret == "" {
		h.secret = cloudflare.Getenv("TG_WEBHOOK_SECRET")
	}
	got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
	if subtle.ConstantTimeCompare([]byte(got), []byte(h.secret)) != 1 {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	var update tgbotapi.Update
	if err := json.NewDecoder(io.LimitReader(r.Body, maxBodySize)).Decode(&update); err != nil {
		http.Error(w, "bad update", http.StatusBadRequest)
		return
	}
	ns, err := kv.NewNamespace(kvBinding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if err := ns.PutString("webhook:last-seen", time.Now().UTC().Format(time.RFC3339), nil); err != nil { // EXPECT kvhotkey
		fmt.Println("last-seen:", err)
	}

	dedupKey := "upd:" + strconv.Itoa(update.UpdateID)
	seen, err := ns.GetString(dedupKey, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	if seen != "" { // EXPECT kvnull
		w.WriteHeader(http.StatusOK)
		return
	}
	if err := ns.PutString(dedupKey, "1", &kv.PutOptions{ExpirationTTL: 3600}); err != nil {
		fmt.Println("dedup:", err)
	}

	db, err := openDB()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer db.Close()

	switch {
	case update.Message != nil:
		reply := h.onMessage(ns, db, update.Message)
		writeReply(w, update.Message.Chat.ID, reply)
		return
	case update.CallbackQuery != nil:
		if err := enqueue(db, update); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}

// writeReply answers Telegram's webhook request with a sendMessage method
// call, which saves a round trip to the Bot API.
func writeReply(w http.ResponseWriter, chatID int64, text string) {
	if text == "" {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"method": "sendMessage", "chat_id": chatID, "text": text})
}

func openDB() (*sql.DB, error) {
	c, err := d1.OpenConnector(d1Binding)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(c), nil
}

// enqueue hands an update to the bot process through D1.
func enqueue(db *sql.DB, update tgbotapi.Update) error {
	raw, err := json.Marshal(update)
	if err != nil {
		return err
	}
	_, err = db.Exec(`INSERT INTO inbox (update_id, body, received_at) VALUES (?, ?, ?) ON CONFLICT (update_id) DO NOTHING`,
		update.UpdateID, string(raw), time.Now().Unix())
	return err
}

func (h *Handler) onMessage(ns *kv.Namespace, db *sql.DB, m *tgbotapi.Message) string {
	chat := strconv.FormatInt(m.Chat.ID, 10)

	if over, err := flooded(ns, chat); err == nil && over {
		return "" // drop silently; the chat is flooding
	}

	cfg := loadChatConfig(ns, db, chat)
	if m.IsCommand() {
		if err := enqueue(db, tgbotapi.Update{Message: m}); err != nil {
			return "Busy, try again in a moment."
		}
		return ""
	}
	if !officeOpen(ns, time.Now().UTC()) && !cfg.Quiet {
		markAcknowledged(ns, chat)
		_ = enqueue(db, tgbotapi.Update{Message: m})
		return "We are closed right now; an agent will answer when we open."
	}
	if hint := draftHint(ns, chat, m.From); hint != "" {
		_ = enqueue(db, tgbotapi.Update{Message: m})
		return hint
	}
	appendTranscript(ns, chat, m)
	if err := enqueue(db, tgbotapi.Update{Message: m}); err != nil {
		return "Busy, try again in a moment."
	}
	return ""
}

// flooded counts the chat's messages in the current minute.
func flooded(ns *kv.Namespace, chat string) (bool, error) {
	key := "flood:" + chat + ":" + time.Now().UTC().Format("200601021504")
	raw, err := ns.GetString(key, nil) // EXPECT kvnull
	if err != nil {
		return false, err
	}
	n, _ := strconv.Atoi(raw)
	if n >= floodLimit {
		return true, nil
	}
	return false, ns.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 120}) // EXPECT kvcounter|kvrace
}

type chatConfig struct {
	Lang  string `json:"lang"`
	Quiet bool   `json:"quiet"`
}

// loadChatConfig reads a chat's settings through a KV cache in front of D1.
func loadChatConfig(ns *kv.Namespace, db *sql.DB, chat string) chatConfig {
	cfg := chatConfig{Lang: "en"}
	key := "edgecfg:" + chat
	v, err := ns.GetString(key, &kv.GetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err == nil && present(v) {
		if json.Unmarshal([]byte(v), &cfg) == nil {
			return cfg
		}
	}
	row := db.QueryRow(`SELECT lang, quiet FROM chat_settings WHERE chat_id = ?`, chat)
	var quiet int
	if err := row.Scan(&cfg.Lang, &quiet); err != nil {
		return cfg
	}
	cfg.Quiet = quiet != 0
	raw, _ := json.Marshal(cfg)
	_ = ns.PutString(key, string(raw), &kv.PutOptions{ExpirationTTL: int(chatCfgTTL)}) // EXPECT kvttl
	return cfg
}

// officeOpen reads the precomputed staffing slot of the current minute.
func officeOpen(ns *kv.Namespace, now time.Time) bool {
	v, err := ns.GetString("hours:"+now.Format("200601021504"), &kv.GetOptions{CacheTTL: 300})
	if err != nil || !present(v) {
		return true // no rota published: assume staffed
	}
	return v == "open"
}

// markAcknowledged remembers that the chat got the "closed" notice, so the
// next messages in the same burst do not repeat it.
func markAcknowledged(ns *kv.Namespace, chat string) {
	_ = ns.PutString("ack:"+chat, "1", &kv.PutOptions{
		Expiration: int(time.Now().Add(30 * time.Second).Unix()), // EXPECT kvttl
	})
}

type draft struct {
	Step    int    `json:"step"`
	Subject string `json:"subject"`
}

// draftHint reminds a user who is halfway through /new.
func draftHint(ns *kv.Namespace, chat string, from *tgbotapi.User) string {
	if from == nil {
		return ""
	}
	v, err := ns.GetString("conv:"+chat+":"+strconv.FormatInt(from.ID, 10), nil) // EXPECT kvnull
	if err != nil {
		return ""
	}
	var d draft
	if err := json.Unmarshal([]byte(v), &d); err != nil {
		return ""
	}
	if d.Step == 0 {
		return ""
	}
	return fmt.Sprintf("You are opening a ticket “%s”. Reply to continue, or /cancel.", d.Subject)
}

// appendTranscript keeps the last messages of a chat for the agent's
// context panel.
func appendTranscript(ns *kv.Namespace, chat string, m *tgbotapi.Message) {
	key := "transcript:" + chat
	v, err := ns.GetString(key, nil)
	if err != nil {
		return
	}
	if !present(v) {
		v = ""
	}
	who := "?"
	if m.From != nil {
		who = m.From.FirstName
	}
	line := fmt.Sprintf("%s %s: %s\n", time.Unix(int64(m.Date), 0).UTC().Format("15:04"), who, m.Text)
	next := v + line
	if len(next) > 16<<10 {
		next = next[len(next)-16<<10:]
	}
	_ = ns.PutString(key, next, &kv.PutOptions{ExpirationTTL: 7 * 24 * 3600}) // EXPECT kvrace
}
