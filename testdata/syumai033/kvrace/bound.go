package kvrace

import (
	"strings"
	"time"

	"kvlint.test/syumai033/bindkv"
)

// The getter and the setter of one key: a read-modify-write.
func appendTranscript(conv, line string) error {
	get, set := bindkv.Bind("CHATS", "transcript:"+conv)
	raw, err := get()
	if err != nil {
		return err
	}
	return set(raw+"\n"+line, time.Hour) // want `read-modify-write on one KV key`
}

// Quiet: the value read is another key's, a template copied to a draft.
func copyTemplate(site, draft string) error {
	get, _ := bindkv.Bind("SITES", "template:"+site)
	_, set := bindkv.Bind("SITES", "draft:"+draft)
	raw, err := get()
	if err != nil {
		return err
	}
	return set(strings.ToUpper(raw), time.Hour)
}
