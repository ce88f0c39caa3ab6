// Markdown + math rendering: formulas survive markdown intact, prices stay
// text where `$` is money, and nothing in the output can run or fetch.
#include <gtest/gtest.h>

#include "math_markdown.h"

using zaya::render::find_math_spans;
using zaya::render::render_markdown_with_math;

static bool contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

TEST(MathSpans, AllFourDelimitersAndEnvironments) {
  const std::string t = R"(a $x_1$ b $$y^2$$ c \(z\) d \[w\] e \begin{align*}p&=q\\r&=s\end{align*})";
  const auto s = find_math_spans(t, true);
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(s[0].tex, "x_1");
  EXPECT_FALSE(s[0].display);
  EXPECT_EQ(s[1].tex, "y^2");
  EXPECT_TRUE(s[1].display);
  EXPECT_EQ(s[2].tex, "z");
  EXPECT_EQ(s[3].tex, "w");
  EXPECT_TRUE(s[3].display);
  EXPECT_EQ(s[4].tex, R"(\begin{align*}p&=q\\r&=s\end{align*})");
  EXPECT_TRUE(s[4].display);
}

TEST(MathSpans, PricesAreNotMath) {
  EXPECT_TRUE(find_math_spans("It costs $5 and $6 more.", true).empty());
  EXPECT_TRUE(find_math_spans("Pay $80,000 now, $1,200 later", false).empty());
  EXPECT_TRUE(find_math_spans("Pay $x$ now", false).empty());
  EXPECT_EQ(find_math_spans(R"(escaped \$5 then $a$)", true).size(), 1u);
}

TEST(Render, MarkdownDoesNotEatMath) {
  const auto html = render_markdown_with_math(R"(**Step 1.** We have $a_1 * b_2 = c_3 * d$ and \[x \\ y\] and $\{1,2\}$.)");
  EXPECT_TRUE(contains(html, "<strong>Step 1.</strong>")) << html;
  EXPECT_TRUE(contains(html, R"(<span class="math">a_1 * b_2 = c_3 * d</span>)")) << html;
  EXPECT_TRUE(contains(html, R"(<span class="math" data-display="1">x \\ y</span>)")) << html;
  EXPECT_TRUE(contains(html, R"(<span class="math">\{1,2\}</span>)")) << html;
}

TEST(Render, ListsAndDisplayMathInside) {
  const auto html = render_markdown_with_math("1. First $$x=1$$\n2. Second\n");
  EXPECT_TRUE(contains(html, "<ol>")) << html;
  EXPECT_EQ(std::count(html.begin(), html.end(), '\n') >= 2, true);
  EXPECT_TRUE(contains(html, R"(<li>First <span class="math" data-display="1">x=1</span></li>)")) << html;
}

TEST(Render, NoScriptNoLinksNoImages) {
  const std::string evil =
      "<script>alert(1)</script> <img src=x onerror=alert(2)> [click](javascript:alert(3)) "
      "![pic](http://example.com/a.png) <a href=\"javascript:x\">y</a> $\\href{javascript:alert(4)}{z}$";
  const auto html = render_markdown_with_math(evil);
  EXPECT_FALSE(contains(html, "<script")) << html;
  EXPECT_FALSE(contains(html, "<img")) << html;
  EXPECT_FALSE(contains(html, "<a ")) << html;
  EXPECT_FALSE(contains(html, "href=\"")) << html;  // as text (escaped) it is harmless
  EXPECT_FALSE(contains(html, "src=\"")) << html;
  EXPECT_TRUE(contains(html, "&lt;script&gt;")) << html;
  // The \href stays TeX source for KaTeX, which runs with trust off.
  EXPECT_TRUE(contains(html, R"(<span class="math">\href{javascript:alert(4)}{z}</span>)")) << html;
}

TEST(Render, AttributeBreakoutInsideMathIsEscaped) {
  const auto html = render_markdown_with_math(R"($"><script>x</script>$)");
  EXPECT_FALSE(contains(html, "<script")) << html;
  EXPECT_TRUE(contains(html, "&quot;&gt;&lt;script&gt;")) << html;
}

TEST(Render, ForgedPlaceholdersAndBadUtf8AreHarmless) {
  const std::string forged = std::string("a \xEE\x80\x80") + "0" + "\xEE\x80\x81 b \xff\xfe c";
  const auto html = render_markdown_with_math(forged);
  EXPECT_FALSE(contains(html, "class=\"math\"")) << html;
  EXPECT_TRUE(contains(html, "\xEF\xBF\xBD")) << html;
}

TEST(Render, CodeKeepsMathSource) {
  const auto html = render_markdown_with_math("Use `$x$` literally");
  EXPECT_TRUE(contains(html, "<code>$x$</code>")) << html;
}

TEST(Render, PricesStayTextWhenDollarIsMoney) {
  zaya::render::RenderOptions o;
  o.dollar_is_math = false;
  const auto html = render_markdown_with_math("Tom pays $12 for 3 pens and $x$ more.", o);
  EXPECT_FALSE(contains(html, "class=\"math\"")) << html;
  EXPECT_TRUE(contains(html, "$12")) << html;
}
