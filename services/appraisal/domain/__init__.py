"""Pure rules of the appraisal service (社会评议): no I/O, no clock reads — the part to unit-test hardest.

``campaigns`` (the 评议方案 and its life cycle), ``questionnaire`` (questions, the default set of
社会评议办法 第五条), ``responses`` (checking an answer sheet, the respondent key), ``text`` (free text
as written), ``results`` (scores, weights, ratings), ``third_party`` (imported scores),
``problems`` (gathering 第九条's problems) and ``publication`` (the events' data).
"""
