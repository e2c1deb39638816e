package slackmsg

import (
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

// One test per escaping rule for the model's text; each input is what a
// prompt-injected model could write.
func TestModelTextIsSafe(t *testing.T) {
	t.Parallel()
	allowed := NewLinkPolicy([]string{"wiki.example.com"})
	cases := []struct {
		rule, in, want string
		absent         []string
	}{
		{rule: "ampersand and angle brackets are escaped", in: "a & b < c > d",
			want: "a &amp; b &lt; c &gt; d"},
		{rule: "user mentions show as text", in: "ask <@U123ABC> now",
			want: "ask &lt;＠U123ABC&gt; now", absent: []string{"<@"}},
		{rule: "channel links show as text", in: "see <#C0123|general>",
			want: "see &lt;#C0123|general&gt;", absent: []string{"<#"}},
		{rule: "group mentions show as text", in: "cc <!subteam^S123|@team>",
			absent: []string{"<!"}},
		{rule: "broadcasts in Slack syntax show as text", in: "<!channel> <!here> <!everyone>",
			want: "&lt;!channel&gt; &lt;!here&gt; &lt;!everyone&gt;"},
		{rule: "bare broadcasts cannot ping", in: "@channel @here @everyone look",
			want: "＠channel ＠here ＠everyone look"},
		{rule: "bare user names cannot ping", in: "thanks @alice", want: "thanks ＠alice"},
		{rule: "e-mail addresses stay as written", in: "write to ops@example.com", want: "write to ops@example.com"},
		{rule: "a disguised link shows where it leads, not as a link", in: "<https://evil.example/x?a=1&b=2|Click to view the full report>",
			want: "Click to view the full report (`https://evil.example/x?a=1&amp;b=2`)", absent: []string{"<https"}},
		{rule: "a markdown link to another host is not a link", in: "[the report](https://evil.example/r)",
			want: "the report (`https://evil.example/r`)", absent: []string{"](http"}},
		{rule: "a bare address to another host is code, not a link", in: "go to https://evil.example/login now",
			want: "go to `https://evil.example/login` now"},
		{rule: "mailto links are not links", in: "<mailto:ceo@example.com|email the CEO>",
			want: "email the CEO (`mailto:ceo@example.com`)"},
		{rule: "a link to an allowed host is kept", in: "see <https://wiki.example.com/kpi|the KPI page>",
			want: "see <https://wiki.example.com/kpi|the KPI page>"},
		{rule: "a markdown link to an allowed host becomes a Slack link", in: "[KPIs](https://wiki.example.com/kpi)",
			want: "<https://wiki.example.com/kpi|KPIs>"},
		{rule: "a look-alike host is not allowed", in: "<https://wiki.example.com.evil.example/|wiki>",
			want: "wiki (`https://wiki.example.com.evil.example/`)"},
		{rule: "a label cannot ping from inside a kept link", in: "<https://wiki.example.com/|@here>",
			want: "<https://wiki.example.com/|＠here>"},
		{rule: "right-to-left overrides are removed", in: "total\u202e 001$ \u202cdone", want: "total 001$ done"},
		{rule: "invisible characters are removed", in: "re\u200bve\u2060nue\ufeff", want: "revenue"},
		{rule: "control characters are removed, line breaks kept", in: "a\x1b[31mred\x07\nb", want: "a[31mred\nb"},
		{rule: "already escaped text is not escaped twice", in: "R&amp;D &lt;3", want: "R&amp;D &lt;3"},
		{rule: "formatting survives", in: "*bold* _it_ `code`", want: "*bold* _it_ `code`"},
	}
	for _, c := range cases {
		got := allowed.mrkdwn(c.in)
		if c.want != "" && got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.rule, got, c.want)
		}
		for _, a := range c.absent {
			if strings.Contains(got, a) {
				t.Errorf("%s: %q still holds %q", c.rule, got, a)
			}
		}
	}
}

func TestNoLinksAreKeptByDefault(t *testing.T) {
	t.Parallel()
	got := LinkPolicy{}.mrkdwn("<https://wiki.example.com/kpi|KPIs>")
	if strings.Contains(got, "<https") {
		t.Errorf("default policy kept a link: %q", got)
	}
}

func TestAnswerSectionsAreVerbatim(t *testing.T) {
	t.Parallel()
	ans := singleValue()
	ans.Text = "Total is 5 #general @here https://evil.example"
	m := Answer(ans, 1)
	s, ok := find[*slack.SectionBlock](m.Blocks)
	if !ok || !s.Text.Verbatim {
		t.Fatalf("the answer's section is not verbatim: Slack would parse mentions and links in it")
	}
	if strings.Contains(s.Text.Text, "@here") {
		t.Errorf("section %q can still broadcast", s.Text.Text)
	}
}

func TestStreamMarkdownIsSafeToo(t *testing.T) {
	t.Parallel()
	ans := singleValue()
	ans.Text = "*Up* 5% <@U1> [x](https://evil.example) <https://wiki.example.com/a|wiki>"
	got := Renderer{Links: NewLinkPolicy([]string{"wiki.example.com"})}.Answer(ans, 1).Markdown
	want := "**Up** 5% &lt;＠U1&gt; x (`https://evil.example`) [wiki](https://wiki.example.com/a)"
	if got != want {
		t.Errorf("markdown\n got %q\nwant %q", got, want)
	}
}

func TestTableCellsAndCaptionsLoseHiddenCharacters(t *testing.T) {
	t.Parallel()
	ans := threeRows()
	ans.Result.Rows[0][0] = "io\u202es\u200b"
	ans.Result.Columns[0].Name = "plat\u2066form"
	m := Answer(ans, 1)
	table, _ := find[*slack.DataTableBlock](m.Blocks)
	if got := table.Rows[1][0].(*slack.DataTableRawTextCell).Text; got != "ios" {
		t.Errorf("cell = %q, want ios", got)
	}
	if got := table.Rows[0][0].(*slack.DataTableRawTextCell).Text; got != "platform" {
		t.Errorf("header = %q, want platform", got)
	}
	if strings.ContainsRune(table.Caption, '\u2066') {
		t.Errorf("caption %q holds an isolate", table.Caption)
	}
}

func TestPlainKeepsWhatPeopleSee(t *testing.T) {
	t.Parallel()
	if got := Plain("résumé 日本 👍🏽\tx\ny"); got != "résumé 日本 👍🏽\tx\ny" {
		t.Errorf("Plain changed visible text: %q", got)
	}
	if got := Plain("report\u202egpj.exe"); got != "reportgpj.exe" {
		t.Errorf("file name = %q", got)
	}
}
