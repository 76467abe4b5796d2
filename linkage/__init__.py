"""Link standard records into people and families, and write the linked index.

Entry points: ``linkage.build.build_index`` (``python -m linkage build``) and
``linkage.evaluate.evaluate`` (``python -m linkage evaluate``).

The stages, one module each: ``standardise`` (with ``names``) cleans names,
dates, postcodes and addresses; ``blocking`` finds candidate pairs;
``compare`` and ``comparisons`` give each pair a level per field; ``model``
(with ``em``) trains Fellegi–Sunter m and u without labels; ``score`` weighs
pairs, with the household guards of ``guards``; ``cluster`` merges records into
people without chaining, honouring the clerical decisions of ``decisions``;
``people``, ``families`` and ``explain`` build the tables ``lookup`` reads;
``writer`` stores a build and switches to it atomically. ``pipeline`` runs the
stages on a frame; ``build`` adds loading and writing.
"""
