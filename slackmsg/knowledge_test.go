package slackmsg

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/agent"
)

func TestAVerifiedAnswerSaysSoAndAnExactOneNeededNoModel(t *testing.T) {
	t.Parallel()
	ans := threeRows()
	ans.Verified = &agent.VerifiedRef{ID: "dau-by-platform-last-week", Label: "Average DAU per platform <last week>", Exact: true}
	ans.NoModel, ans.CostUSD = true, 0
	m := Renderer{Verify: true}.Answer(ans, 42)
	checkGolden(t, "answer_verified_exact", m.Message)
	if err := Check(m.Blocks); err != nil {
		t.Fatal(err)
	}
	got := string(blocksJSON(t, m.Message))
	for _, want := range []string{`✓ Verified query: Average DAU per platform \u0026lt;last week\u0026gt;`, "no model call"} {
		if !strings.Contains(got, want) {
			t.Errorf("the answer lacks %q: %s", want, got)
		}
	}
	if strings.Contains(got, `"action_id":"verify"`) {
		t.Error("an answer that is already verified offers no Verify button")
	}
}

func TestVerifyIsOfferedOnlyWhenThereAreCurators(t *testing.T) {
	t.Parallel()
	with := string(blocksJSON(t, Renderer{Verify: true}.Answer(threeRows(), 42).Message))
	without := string(blocksJSON(t, Renderer{}.Answer(threeRows(), 42).Message))
	if !strings.Contains(with, `"action_id":"verify","value":"42"`) {
		t.Errorf("no Verify button carrying the history id: %s", with)
	}
	if strings.Contains(without, `"verify"`) {
		t.Error("with no curators there is no Verify button")
	}
}

func TestHomeTab(t *testing.T) {
	t.Parallel()
	proposals := []Proposal{{ID: "crashes-android-h12", Question: "Android crashes yesterday?", SQL: "SELECT sum(crashes)\nFROM app_metrics", ProposedBy: "UCUR1"}}
	down := []DownVote{{Question: "revenue <b>by</b> plan?", SQL: "SELECT 1", By: "U2", HistoryID: 9}}
	curator := Home(true, proposals, down)
	other := Home(false, proposals, down)
	for name, v := range map[string]slack.HomeTabViewRequest{"home_curator": curator, "home_other": other} {
		if v.Type != slack.VTHomeTab {
			t.Errorf("%s: type %q", name, v.Type)
		}
		if err := Check(v.Blocks.BlockSet); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		checkGolden(t, name, Message{Blocks: v.Blocks.BlockSet})
	}
	cj, _ := json.Marshal(curator)
	oj, _ := json.Marshal(other)
	for _, want := range []string{`"action_id":"knowledge_approve"`, `"action_id":"knowledge_reject"`, `"value":"crashes-android-h12"`, `revenue \u0026lt;b\u0026gt;by`} {
		if !strings.Contains(string(cj), want) {
			t.Errorf("the curator's home lacks %s", want)
		}
	}
	if strings.Contains(string(oj), "knowledge_approve") || strings.Contains(string(oj), "crashes-android") {
		t.Error("someone who is not a curator sees no proposals and no buttons")
	}
}
