package experiments

import "strings"

// DefaultAudienceRule targets the regions where consent banners are already
// shown, so experiments there can start without a new legal review.
const DefaultAudienceRule = "country in ('AT','BE','BG','HR','CY','CZ','DK','EE','FI','FR','DE','GR','HU','IE','IT','LV','LT','LU','MT','NL','PL','PT','RO','SK','SI','ES','SE','IS','LI','NO','CH','GB','GG','JE','IM','GI','AD','MC','SM','VA','AL','BA','ME','MK','RS','XK','MD','UA','GE','AM','TR','IL','AU','NZ','CA','BR','AR','CL','CO','PE','UY','ZA','KE','NG','MX','US','PR','DO','CR','PA','EC','BO','PY','VE','GT','HN','SV','NI','JM','TT','BS','BB','PH','ID','VN','TW','HK','MO','AE','SA','QA','KW','BH','OM','EG','MA','TN','GH','JP','KR','SG','MY','TH','IN') and not bot"

// Audience is a compiled targeting rule.
type Audience struct {
	Rule      string   `json:"rule"`
	Countries []string `json:"countries"`
	Bots      bool     `json:"bots"`
}

// CompileAudience turns a rule of the form `country in (...) [and not bot]`
// into an Audience.
func CompileAudience(rule string) Audience {
	a := Audience{Rule: rule, Bots: !strings.Contains(strings.ToLower(rule), "not bot")}
	if open, closing := strings.Index(rule, "("), strings.Index(rule, ")"); open >= 0 && closing > open {
		for _, c := range strings.Split(rule[open+1:closing], ",") {
			a.Countries = append(a.Countries, strings.ToUpper(strings.Trim(strings.TrimSpace(c), "'")))
		}
	}
	return a
}
