//go:build js && wasm

package widget

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/helpdeskco/sanderling/internal/edgekv"
	"github.com/helpdeskco/sanderling/internal/httpx"
	"github.com/helpdeskco/sanderling/internal/keys"
	"github.com/helpdeskco/sanderling/internal/kverr"
)

// Message is one chat line.
type Message struct {
	ID   string    `json:"id"`
	From string    `json:"from"`
	Body string    `json:"body"`
	At   time.Time `json:"at"`
}

// Transcript is the full conversation shown in the widget and the agent inbox.
type Transcript struct {
	ConversationID string    `json:"conversation_id"`
	SiteID         string    `json:"site_id"`
	Messages       []Message `json:"messages"`
}

// TypingState tells the other side that someone is typing.
type TypingState struct {
	ConversationID string    `json:"conversation_id"`
	Who            string    `json:"who"`
	At             time.Time `json:"at"`
}

// Expiry is how long a typing indicator stays visible without a refresh.
func (t TypingState) Expiry() time.Duration { return keys.KindTyping.TTL() }

// PostMessage accepts a visitor's chat message.
func (s *Service) PostMessage(w http.ResponseWriter, r *http.Request) {
	sess, err := s.current(r)
	if err != nil {
		httpx.Error(w, http.StatusUnauthorized, "no session")
		return
	}
	ok, err := s.allow(httpx.ClientIP(r))
	if err != nil || !ok {
		httpx.Error(w, http.StatusTooManyRequests, "slow down")
		return
	}

	var in struct {
		Body string `json:"body"`
	}
	if err := httpx.Decode(r, int64(s.cfg.Widget.MaxMessageBytes), &in); err != nil || in.Body == "" {
		httpx.Error(w, http.StatusBadRequest, "invalid message")
		return
	}
	msg := Message{ID: httpx.NewID(), From: "visitor", Body: in.Body, At: time.Now().UTC()}

	convID := sess.TicketID
	if convID == "" {
		convID = httpx.NewID()
		if err := s.sessions.AttachTicket(sess, convID); err != nil {
			httpx.Fail(w, err)
			return
		}
		siteID := sess.SiteID
		cloudflare.WaitUntil(func() {
			idxKey := keys.KindConversationIndex.Key(siteID)
			var open []string
			if _, err := s.index.GetJSON(idxKey, &open); err != nil {
				log.Printf("conversation index %s: %v", siteID, err)
				return
			}
			open = append(open, convID)
			if err := s.index.PutJSON(idxKey, open, keys.KindConversationIndex.TTL()); err != nil { // EXPECT kvrace
				log.Printf("conversation index %s: %v", siteID, err)
			}
		})
	}
	if err := s.appendToTranscript(convID, sess.SiteID, msg); err != nil {
		httpx.Fail(w, err)
		return
	}
	body, _ := json.Marshal(struct {
		ConversationID string  `json:"conversation_id"`
		Message        Message `json:"message"`
	}{convID, msg})
	cloudflare.WaitUntil(func() {
		if err := s.origin.Post(context.Background(), "/internal/chat/messages", bytes.NewReader(body)); err != nil {
			log.Printf("forward message %s: %v", msg.ID, err)
		}
	})
	if err := edgekv.PutString(edgekv.Widget, keys.Key("stats", "chat", "last_message_at"), msg.At.Format(time.RFC3339), 0); err != nil { // EXPECT kvhotkey
		log.Printf("chat stats: %v", err)
	}
	httpx.JSON(w, http.StatusAccepted, map[string]string{"conversation_id": convID, "message_id": msg.ID})
}

// Typing records that the visitor is typing. The widget script sends at most
// one typing event every few seconds.
func (s *Service) Typing(w http.ResponseWriter, r *http.Request) {
	sess, err := s.current(r)
	if err != nil || sess.TicketID == "" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	st := TypingState{ConversationID: sess.TicketID, Who: "visitor", At: time.Now().UTC()}
	if err := edgekv.SaveJSON(edgekv.Widget, keys.KindTyping.Key(sess.TicketID, "visitor"), st); err != nil { // EXPECT kvttl
		httpx.Fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Transcript returns the conversation attached to the visitor's session.
func (s *Service) Transcript(w http.ResponseWriter, r *http.Request) {
	sess, err := s.current(r)
	if err != nil {
		httpx.Error(w, http.StatusUnauthorized, "no session")
		return
	}
	if sess.TicketID == "" {
		httpx.JSON(w, http.StatusOK, Transcript{SiteID: sess.SiteID})
		return
	}
	res := edgekv.Read[Transcript](edgekv.Tickets, keys.KindTranscript.Key(sess.TicketID))
	tr, err := res.Unwrap()
	switch {
	case errors.Is(err, kverr.ErrMiss):
		httpx.JSON(w, http.StatusOK, Transcript{ConversationID: sess.TicketID, SiteID: sess.SiteID})
	case err != nil:
		httpx.Fail(w, err)
	default:
		httpx.JSON(w, http.StatusOK, tr)
	}
}

// allow applies the per-IP message rate limit.
func (s *Service) allow(ip string) (bool, error) {
	keyFor := edgekv.Prefixed(keys.KindMsgRateLimit.Prefix())
	k := keyFor(ip, time.Now().UTC().Format("200601021504"))
	v, err := edgekv.Widget.GetString(k, nil)
	if err != nil {
		return false, err
	}
	n := 0
	if v != edgekv.Null {
		if n, err = strconv.Atoi(v); err != nil {
			return false, fmt.Errorf("rate limit %s: %w", k, err)
		}
	}
	if n >= s.cfg.Widget.MessagesPerMinute {
		return false, nil
	}
	return true, edgekv.Widget.PutString(k, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(keys.KindMsgRateLimit.TTL() / time.Second)}) // EXPECT kvcounter
}

// appendToTranscript adds msg to the conversation's transcript.
func (s *Service) appendToTranscript(convID, siteID string, msg Message) error {
	get, set := edgekv.Bind(edgekv.Tickets, keys.KindTranscript.Key(convID))
	raw, err := get()
	if err != nil {
		return err
	}
	tr := Transcript{ConversationID: convID, SiteID: siteID}
	if raw != "" { // EXPECT kvnull
		if err := json.Unmarshal([]byte(raw), &tr); err != nil {
			return fmt.Errorf("transcript %s: %w", convID, err)
		}
	}
	tr.Messages = append(tr.Messages, msg)
	b, err := json.Marshal(tr)
	if err != nil {
		return err
	}
	return set(string(b), keys.KindTranscript.TTL()) // EXPECT kvrace
}
