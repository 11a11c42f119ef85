package app

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// A dispatcher sets up a team in the browser (members, tonight's shift, on
// duty) and sees it on the board as on shift, next to the relief station;
// two reports of one person come in as two incidents, the dispatcher
// merges them from the board and undoes the merge.
func TestBrowserTeamRosterAndBoardMerge(t *testing.T) {
	t.Parallel() // its own demo and browser context: nothing shared
	ctx := browser(t)
	r := start(t, map[string]string{"HAVEN_DEMO_PASSWORD": "browser demo 1"}, "demo", "--data", t.TempDir())
	browserLogin(t, ctx, r.URL, "dispatcher")
	step(t, ctx, "create a team",
		chromedp.Navigate(r.URL+"/admin/teams"),
		chromedp.WaitVisible(chromedp.ID("team-new")),
		chromedp.SendKeys(chromedp.CSS(`#team-new #name`), "浏览器测试队"),
		chromedp.SetValue(chromedp.CSS(`#team-new #kind`), "urban"),
		chromedp.Submit(chromedp.CSS(`#team-new #name`)),
		chromedp.WaitVisible(chromedp.ID("team-edit")),
	)
	step(t, ctx, "add the patrol member",
		chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll('input[name="members"]')].find(function(c){return c.parentElement.textContent.indexOf('patrol')>=0}).click()`),
		chromedp.Submit(chromedp.CSS(`#team-edit #name`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
	)
	if n := value(t, ctx, "members", chromedp.Evaluate[int](`document.querySelectorAll('input[name="members"]:checked').length`)); n != 1 {
		t.Fatalf("%d members checked after saving", n)
	}
	step(t, ctx, "a refused shift is explained",
		chromedp.SetValue(chromedp.ID("from"), "8点"),
		chromedp.Submit(chromedp.ID("from")),
		chromedp.WaitVisible(chromedp.CSS(`#shift-new .field-error`)),
	)
	if msg := value(t, ctx, "shift error", chromedp.Text(chromedp.CSS(`#shift-new .field-error`))); msg != "请填写日期和起止时间（时:分）" {
		t.Fatalf("shift error %q", msg)
	}
	step(t, ctx, "roster it for all of today and put it on duty",
		chromedp.SetValue(chromedp.ID("from"), "00:00"),
		chromedp.SetValue(chromedp.ID("to"), "23:59"),
		chromedp.Submit(chromedp.ID("from")),
		chromedp.WaitVisible(chromedp.CSS(`#shifts li`)),
		chromedp.Click(chromedp.CSS(`button[name="status"][value="available"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[name="status"][value="off_duty"]`)),
	)
	step(t, ctx, "the board shows the team on shift and the station",
		chromedp.Navigate(r.URL+"/dispatch"),
		chromedp.WaitReady(chromedp.CSS(`#board[data-ready="1"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#live-status.on`)),
		chromedp.Poll[chromedp.Void](`[...document.querySelectorAll('.team-chip')].some(function(c){return c.textContent.indexOf('浏览器测试队')===0 && c.dataset.onShift==='1' && c.dataset.status==='available'})`),
		chromedp.WaitReady(chromedp.CSS(`#board-map [data-station]`)),
	)

	// Two reports 500 m apart: two incidents (the merge radius is 300 m).
	publicReport(t, r.URL, 35.2801, 113.9001, "合并测试甲")
	publicReport(t, r.URL, 35.2846, 113.9001, "合并测试乙")
	card := func(addr string) string {
		return `[...document.querySelectorAll('.inc-card')].find(function(c){return c.querySelector('.where').textContent==='` + addr + `'})`
	}
	step(t, ctx, "both appear", chromedp.Poll[chromedp.Void](`!!`+card("合并测试甲")+` && !!`+card("合并测试乙")))
	step(t, ctx, "merge 甲 into 乙 from the board",
		chromedp.Evaluate[chromedp.Void](card("合并测试甲")+`.click()`),
		chromedp.WaitVisible(chromedp.CSS(`#d-nearby button`)),
		chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll('#d-nearby li')].find(function(li){return li.textContent.indexOf(`+card("合并测试乙")+`.dataset.ref)===0}).querySelector('button').click()`),
		chromedp.WaitVisible(chromedp.ID("undo-op")),
		chromedp.Poll[chromedp.Void](`!`+card("合并测试甲")+` && `+card("合并测试乙")+`.textContent.indexOf('2 条求助')>=0`),
	)
	step(t, ctx, "undo the merge",
		chromedp.Click(chromedp.ID("undo-op")),
		chromedp.Poll[chromedp.Void](`!!`+card("合并测试甲")+` && `+card("合并测试乙")+`.textContent.indexOf('条求助')<0`),
	)
}
