//go:build js && wasm

// Package edge is the Cloudflare Worker in front of the community bot: it
// serves public guild pages from the shared KV namespace, receives Discord
// interactions over HTTP (signature check, then KV), and hosts the web
// dashboard's sessions.
package edge

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"
)

const (
	stateBinding = "BOT_STATE"
	pageCacheTTL = 5 * time.Minute
)

// Handler returns the Worker's router.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /interactions", withKV(handleInteraction))
	mux.HandleFunc("GET /g/{guild}/leaderboard", withKV(handleLeaderboard))
	mux.HandleFunc("GET /g/{guild}/tags", withKV(handleTags))
	mux.HandleFunc("GET /g/{guild}/roles", withKV(handleReactionRoles))
	mux.HandleFunc("GET /u/{user}", withKV(handleProfile))
	mux.HandleFunc("GET /p/{slug}", withKV(handleVanity))
	mux.HandleFunc("POST /claim", withKV(handleClaim))
	mux.HandleFunc("GET /login/callback", withKV(handleLogin))
	mux.HandleFunc("GET /dashboard", withKV(handleDashboard))
	mux.HandleFunc("POST /logout", withKV(handleLogout))
	mux.HandleFunc("POST /logout/all", withKV(handleLogoutAll))
	return mux
}

type kvHandler func(w http.ResponseWriter, r *http.Request, ns *kv.Namespace)

// withKV binds the namespace for the current invocation; bindings are only
// reachable while a request is being served.
func withKV(h kvHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ns, err := cloudflare.NewKVNamespace(stateBinding)
		if err != nil {
			http.Error(w, "kv binding missing", http.StatusInternalServerError)
			return
		}
		h(w, r, ns)
	}
}

// isMissing reports whether a GetString result is KV's null.
func isMissing(v string) bool { return v == "<null>" }

type interaction struct {
	ID      string `json:"id"`
	Type    int    `json:"type"`
	GuildID string `json:"guild_id"`
	Member  struct {
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	} `json:"member"`
	Data struct {
		Name string `json:"name"`
	} `json:"data"`
}

func verifyDiscord(r *http.Request, body []byte) bool {
	pub, err := hex.DecodeString(cloudflare.Getenv("DISCORD_PUBLIC_KEY"))
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return false
	}
	sig, err := hex.DecodeString(r.Header.Get("X-Signature-Ed25519"))
	if err != nil {
		return false
	}
	msg := append([]byte(r.Header.Get("X-Signature-Timestamp")), body...)
	return ed25519.Verify(pub, msg, sig)
}

func handleInteraction(w http.ResponseWriter, r *http.Request, ns *kv.Namespace) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	if !verifyDiscord(r, body) {
		ip := r.Header.Get("CF-Connecting-IP")
		key := "attempts:sig:" + ip
		v, _ := ns.GetString(key, nil)
		n := 0
		if v != "" { // EXPECT kvnull
			n, _ = strconv.Atoi(v)
		}
		_ = ns.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 3600}) // EXPECT kvcounter|kvrace
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	var ix interaction
	if err := json.Unmarshal(body, &ix); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	_ = ns.PutString("stats:last-interaction", time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
	if ix.Type == 1 {
		writeJSON(w, map[string]int{"type": 1})
		return
	}
	seen, err := ns.GetString("ix:"+ix.ID, nil)
	if err == nil && !isMissing(seen) {
		writeJSON(w, message("Already handled."))
		return
	}
	_ = ns.PutString("ix:"+ix.ID, "1", &kv.PutOptions{ // DEBATABLE kvrace
		Expiration: int(time.Now().Add(45 * time.Second).Unix()), // EXPECT kvttl
	})

	switch ix.Data.Name {
	case "rank":
		raw, _ := ns.GetString("points:"+ix.GuildID+":"+ix.Member.User.ID, nil) // EXPECT kvnull
		pts, err := strconv.Atoi(raw)
		if err != nil {
			writeJSON(w, message("Couldn't read your points right now."))
			return
		}
		writeJSON(w, message(fmt.Sprintf("You have %d points.", pts)))
	case "about":
		raw, err := ns.GetString("settings:"+ix.GuildID, &kv.GetOptions{CacheTTL: 600}) // EXPECT kvnull
		if err != nil {
			writeJSON(w, message("Unavailable."))
			return
		}
		var gs struct {
			Name     string    `json:"name"`
			JoinedAt time.Time `json:"joined_at"`
		}
		_ = json.Unmarshal([]byte(raw), &gs)
		writeJSON(w, message(fmt.Sprintf("%s has used Accentor since %s.", gs.Name, gs.JoinedAt.Format("Jan 2006"))))
	default:
		writeJSON(w, message("This command is handled by the gateway bot."))
	}
}

func message(content string) map[string]any {
	return map[string]any{"type": 4, "data": map[string]any{"content": content, "flags": 64}}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

type topEntry struct {
	UserID string `json:"u"`
	Points int    `json:"p"`
}

// handleLeaderboard renders the top-25 written by the bot's rebuild.
func handleLeaderboard(w http.ResponseWriter, r *http.Request, ns *kv.Namespace) {
	guild := r.PathValue("guild")
	cacheKey := "render:lb:" + guild
	if html, err := ns.GetString(cacheKey, &kv.GetOptions{CacheTTL: 60}); err == nil && !isMissing(html) {
		writeHTML(w, html)
		return
	}
	raw, err := ns.GetString("leaderboard:"+guild, &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if isMissing(raw) {
		http.NotFound(w, r)
		return
	}
	var top []topEntry
	if err := json.Unmarshal([]byte(raw), &top); err != nil {
		http.Error(w, "corrupt leaderboard", http.StatusInternalServerError)
		return
	}
	var b strings.Builder
	b.WriteString("<h1>Leaderboard</h1><ol>")
	for _, e := range top {
		fmt.Fprintf(&b, "<li>%s — %d</li>", displayName(ns, guild, e.UserID), e.Points)
	}
	b.WriteString("</ol>")
	html := b.String()
	_ = ns.PutString(cacheKey, html, &kv.PutOptions{
		ExpirationTTL: int(pageCacheTTL), // EXPECT kvttl
	})
	writeHTML(w, html)
}

func displayName(ns *kv.Namespace, guild, userID string) string {
	name, err := ns.GetString("member:"+guild+":"+userID, &kv.GetOptions{CacheTTL: 3600})
	if err != nil || isMissing(name) || name == "" {
		return "member " + userID
	}
	return name
}

// handleTags lists one page of a guild's tags; ?cursor= continues.
func handleTags(w http.ResponseWriter, r *http.Request, ns *kv.Namespace) {
	guild := r.PathValue("guild")
	res, err := ns.List(&kv.ListOptions{Prefix: "tag:" + guild + ":", Limit: 100, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	intro, _ := ns.GetString("tagintro:"+guild, &kv.GetOptions{
		CacheTTL: 10, // EXPECT kvttl
	})
	var b strings.Builder
	if !isMissing(intro) {
		b.WriteString("<p>" + intro + "</p>")
	}
	b.WriteString("<ul>")
	for _, k := range res.Keys {
		fmt.Fprintf(&b, "<li>%s</li>", strings.TrimPrefix(k.Name, "tag:"+guild+":"))
	}
	b.WriteString("</ul>")
	if !res.ListComplete {
		fmt.Fprintf(&b, `<a href="?cursor=%s">more</a>`, res.Cursor)
	}
	writeHTML(w, b.String())
}

// handleReactionRoles shows how many reaction-role messages a guild has.
func handleReactionRoles(w http.ResponseWriter, r *http.Request, ns *kv.Namespace) {
	guild := r.PathValue("guild")
	res, err := ns.List(&kv.ListOptions{Prefix: "rr:" + guild + ":"}) // EXPECT kvlist
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<h1>%d reaction-role messages</h1><ul>", len(res.Keys))
	for _, k := range res.Keys {
		fmt.Fprintf(&b, "<li>message %s</li>", strings.TrimPrefix(k.Name, "rr:"+guild+":"))
	}
	b.WriteString("</ul>")
	writeHTML(w, b.String())
}

func writeHTML(w http.ResponseWriter, html string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = io.WriteString(w, html)
}
