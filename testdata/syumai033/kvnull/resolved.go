package kvnull

import (
	"encoding/json"
	"log"

	"github.com/syumai/workers/cloudflare/kv"
)

// resolution is a flag library's error: a value, not an error, handed
// back by pointer.
type resolution struct{ code, msg string }

func parseFailure(msg string) resolution { return resolution{"PARSE_ERROR", msg} }

type flagDef struct{ Enabled bool }

// A flag decoded with no look for "<null>": its parse error, built into
// the library's resolution and handed back, is what a missing flag gets.
func loadFlag(ns *kv.Namespace, name string) (*flagDef, *resolution) {
	raw, err := ns.GetString("flags/"+name, nil) // want `this value is parsed with no check for it, so a missing key fails as a parse error`
	if err != nil {
		return nil, &resolution{"GENERAL", err.Error()}
	}
	var def flagDef
	if err := json.Unmarshal([]byte(raw), &def); err != nil {
		e := parseFailure(err.Error())
		return nil, &e
	}
	return &def, nil
}

// Quiet: the parse error is only logged, and a missing flag reads as off.
func flagOrOff(ns *kv.Namespace, name string) (*flagDef, *resolution) {
	raw, err := ns.GetString("flags/"+name, nil)
	if err != nil {
		return nil, &resolution{"GENERAL", err.Error()}
	}
	var def flagDef
	if err := json.Unmarshal([]byte(raw), &def); err != nil {
		e := parseFailure(err.Error())
		log.Print(e.msg)
		return &flagDef{}, nil
	}
	return &def, nil
}
